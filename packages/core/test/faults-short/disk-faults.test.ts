import { describe, it } from 'vitest';
import { fileSizeLimitCase } from '../faults/lib/disk-faults.js';
import { checkDiskFault } from '../faults/lib/disk-suite.js';

// The short version of test/faults/disk-faults.faults.ts: one file-size-limit case.
describe('write failures (short)', () => {
  it('a save cut short by ulimit -f fails fit() with EFBIG and leaves the earlier checkpoints whole', async ({ skip }) => {
    checkDiskFault(await fileSizeLimitCase(16), false, (note) => skip(note));
  }, 60_000);
});
