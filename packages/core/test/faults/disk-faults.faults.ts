import { describe, it } from 'vitest';
import { fileSizeLimitCase, fullDiskCase, readOnlyFolderCase } from './lib/disk-faults.js';
import { checkDiskFault } from './lib/disk-suite.js';

describe('disk full and write failures (long)', () => {
  it('file size limit (ulimit -f) hit in the middle of a 64 MB save', async ({ skip }) => {
    checkDiskFault(await fileSizeLimitCase(64), true, (note) => skip(note));
  }, 180_000);

  it('checkpoint folder made read-only in the middle of a run', async ({ skip }) => {
    checkDiskFault(await readOnlyFolderCase(5), true, (note) => skip(note));
  }, 180_000);

  it('a real full disk (tmpfs) in the middle of a run', async ({ skip }) => {
    checkDiskFault(await fullDiskCase(16), true, (note) => skip(note));
  }, 180_000);
});
