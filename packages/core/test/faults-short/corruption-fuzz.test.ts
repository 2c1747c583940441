import { describe, it } from 'vitest';
import { fuzzCheckpoints } from '../faults/lib/fuzz-suite.js';

// The short version of test/faults/corruption-fuzz.faults.ts.
describe('corruption fuzzing (short)', () => {
  it('100 seeded mutations of Trainer checkpoints: each refused with a CheckpointError by the reader and by resume', async () => {
    await fuzzCheckpoints(100, 15, 'cairn-fuzz-short', false);
  }, 60_000);
});
