import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const INSTALL = fileURLToPath(new URL('../../packages/core/scripts/install-swiftshader.sh', import.meta.url));

/**
 * The environment for an example run on webgpu: VK_ICD_FILENAMES pointing at the software adapter that
 * core's install script provides (installed on first use, cached after), unless it already names a driver.
 * Undefined when there is none, which fails under CI=true (the script itself exits non-zero there).
 */
export function webGpuEnv(): NodeJS.ProcessEnv | undefined {
  if (process.env.VK_ICD_FILENAMES !== undefined) return process.env;
  const icd = execFileSync('bash', [INSTALL], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop();
  return icd ? { ...process.env, VK_ICD_FILENAMES: icd } : undefined;
}
