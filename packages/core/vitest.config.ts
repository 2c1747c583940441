import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * The software Vulkan adapter scripts/install-swiftshader.sh installs (same cache folder), used by the
 * webgpu tests unless VK_ICD_FILENAMES already names a driver.
 */
const swiftShaderIcd = join(
  process.env.CAIRN_SWIFTSHADER_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'cairn', 'swiftshader'),
  'vk_swiftshader_icd.json',
);
const vulkan = process.env.VK_ICD_FILENAMES === undefined && existsSync(swiftShaderIcd) ? { VK_ICD_FILENAMES: swiftShaderIcd } : {};

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // TF.js keeps one global engine per process: isolate files in forks, run them one at a time
    // per worker so backend switches in one file never leak into another.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    env: vulkan,
  },
});
