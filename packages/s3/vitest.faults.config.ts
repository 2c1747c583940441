import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/** `pnpm test:faults`: the S3 kill campaign (test/faults/*.faults.ts), kept out of the default suite. */
export default defineConfig({
  resolve: { alias: { '@cairn/s3': fileURLToPath(new URL('./src/index.ts', import.meta.url)) } },
  test: {
    include: ['test/faults/**/*.faults.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 3_600_000,
    hookTimeout: 120_000,
  },
});
