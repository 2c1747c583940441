import { describe, it } from 'vitest';
import { fuzzCheckpoints } from './lib/fuzz-suite.js';
import { campaignBudgetMs, envCount } from './lib/summary.js';

// The goal of issue 17: 10,000 file mutations (plus a tenth as many state mutations; about 0.2 s each here).
const MUTATIONS = envCount('CAIRN_FAULT_MUTATIONS', 10_000);

describe('corruption fuzzing (long)', () => {
  it(`${MUTATIONS} seeded mutations of Trainer checkpoints: each refused with a CheckpointError by the reader and by resume`, async () => {
    await fuzzCheckpoints(MUTATIONS, Math.ceil(MUTATIONS / 10), 'cairn-fuzz', true);
  }, campaignBudgetMs(MUTATIONS, 250));
});
