import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // TF.js keeps one global engine per process: isolate files in forks, run them one at a time
    // per worker so backend switches in one file never leak into another.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
