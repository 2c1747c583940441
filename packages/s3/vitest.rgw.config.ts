import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * `pnpm test:rgw`: the default S3 tests against a single-node Ceph RADOS Gateway from Debian's
 * packages (scripts/ceph-rgw.sh installs and starts it; each file gets a fresh cluster), instead
 * of s3rver. Files run one at a time: they share the gateway's port.
 */
export default defineConfig({
  resolve: { alias: { '@cairn/s3': fileURLToPath(new URL('./src/index.ts', import.meta.url)) } },
  test: {
    include: ['test/**/*.test.ts'],
    env: { CAIRN_S3_SERVER: 'ceph-rgw' },
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
