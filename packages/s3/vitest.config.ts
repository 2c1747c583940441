import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Tests import this package by name, as users do; the name means this source, not a stale dist.
  resolve: { alias: { '@cairn/s3': fileURLToPath(new URL('./src/index.ts', import.meta.url)) } },
  test: {
    include: ['test/**/*.test.ts'],
    // TF.js keeps one global engine per process: isolate files in forks, run them one at a time
    // per worker so backend switches in one file never leak into another.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
