import { describe, it } from 'vitest';
import { killAndResume } from '../faults/lib/kill-suite.js';

// The short version of test/faults/kill-resume.faults.ts: a few kills, a smaller ballast.
describe('crash safety (short)', () => {
  it('SIGKILLed at random moments, also inside large writes: every resume is exact', async () => {
    await killAndResume(
      [
        { scenario: 'small', kills: 3, maxDelayMs: 300 },
        { scenario: 'topk', kills: 2, maxDelayMs: 300 },
        { scenario: 'large', kills: 2, maxDelayMs: 600, ballastMb: 16 },
      ],
      'cairn-faults-short',
      false,
    );
  }, 120_000);
});
