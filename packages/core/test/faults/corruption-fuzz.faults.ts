import { describe, it } from 'vitest';
import { fuzzCheckpoints } from './lib/fuzz-suite.js';
import { envCount } from './lib/summary.js';

const MUTATIONS = envCount('CAIRN_FAULT_MUTATIONS', 1000);

describe('corruption fuzzing (long)', () => {
  it(`${MUTATIONS} seeded mutations of Trainer checkpoints: each refused with a CheckpointError by the reader and by resume`, async () => {
    await fuzzCheckpoints(MUTATIONS, Math.ceil(MUTATIONS / 10), 'cairn-fuzz', true);
  });
});
