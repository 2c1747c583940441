import { describe, expect, it } from 'vitest';
import { runS3KillCampaign } from './helpers/kill-campaign.js';

describe('S3 kill and resume (short; the campaign is pnpm test:faults)', () => {
  it('a run SIGKILLed mid-training resumes from the bucket in a fresh folder, bit-identical', async () => {
    const result = await runS3KillCampaign(1, 11, 2500);
    expect(result.summary).not.toContain('failures');
    expect(result.kills).toBe(1);
    expect(result.resumedFromBucket).toBe(1);
    expect(result.differingFinals).toBe(0);
    expect(result.brokenInBucket).toBe(0);
  }, 300_000);
});
