import { readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Whether the Vulkan loader has any driver manifest to find (Linux): the variables that name drivers, or a
 * *.json in the folders the loader searches. `'auto'` asks Dawn for an adapter only then, because Dawn
 * prints Vulkan warnings on stderr when it finds no driver, on every machine without a GPU. Other
 * systems (Metal, Direct3D) always count as having one.
 */
export function vulkanDriverListed(env: NodeJS.ProcessEnv = process.env): boolean {
  if (process.platform !== 'linux') return true;
  if (['VK_ICD_FILENAMES', 'VK_DRIVER_FILES', 'VK_ADD_DRIVER_FILES'].some((name) => (env[name] ?? '') !== '')) return true;
  const config = (env.XDG_CONFIG_DIRS || '/etc/xdg').split(':');
  const data = (env.XDG_DATA_DIRS || '/usr/local/share:/usr/share').split(':');
  const folders = [
    ...config.map((d) => join(d, 'vulkan/icd.d')),
    '/etc/vulkan/icd.d',
    ...data.map((d) => join(d, 'vulkan/icd.d')),
    join(env.XDG_DATA_HOME || join(homedir(), '.local/share'), 'vulkan/icd.d'),
  ];
  return folders.some((folder) => {
    try {
      return readdirSync(folder).some((name) => name.endsWith('.json'));
    } catch {
      return false;
    }
  });
}
