import { describe, it } from 'vitest';
import { killAndResume } from './lib/kill-suite.js';
import { campaignBudgetMs, envCount } from './lib/summary.js';

// The goal of issue 17: 1,000 kills (about 6 s each here, with the resume that follows).
const KILLS = envCount('CAIRN_FAULT_KILLS', 1000);
// About a third of the kills hit the large state, where most of the run is spent inside writes,
// and a tenth a run checkpointed by ModelCheckpoint (top-k rotation and best_k_models.yaml).
const LARGE = Math.round(KILLS * 0.3);
const TOPK = Math.round(KILLS * 0.1);

describe('crash safety (long)', () => {
  it(`SIGKILLed ${KILLS} times at seeded random moments, resumed with 'last' each time: bit-identical to the uninterrupted run`, async () => {
    await killAndResume(
      [
        { scenario: 'small', kills: KILLS - LARGE - TOPK, maxDelayMs: 400 },
        { scenario: 'topk', kills: TOPK, maxDelayMs: 400 },
        { scenario: 'large', kills: LARGE, maxDelayMs: 1500, ballastMb: 64 },
      ],
      'cairn-faults',
      true,
    );
  }, campaignBudgetMs(KILLS, 6_000));
});
