import { defineConfig } from 'vitest/config';

/**
 * `pnpm test:faults`: the long fault-injection runs (test/faults/*.faults.ts), kept out of the
 * default suite, whose short versions live in test/faults-short. Files run one at a time: each
 * one already keeps both cores busy (a training child plus the checks), and timings stay honest.
 */
export default defineConfig({
  test: {
    include: ['test/faults/**/*.faults.ts'],
    pool: 'forks',
    poolOptions: { forks: { execArgv: ['--expose-gc'] } },
    fileParallelism: false,
    testTimeout: 900_000,
    hookTimeout: 120_000,
  },
});
