import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runS3KillCampaign } from '../helpers/kill-campaign.js';

function envCount(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got '${raw}'`);
  return value;
}

const KILLS = envCount('CAIRN_S3_FAULT_KILLS', 20);
const SEED = envCount('CAIRN_S3_FAULT_SEED', 1);
// Where the summary line goes for docs/reliability.md (runs/ is git-ignored).
const SUMMARY_FILE = process.env.CAIRN_FAULT_SUMMARY ?? join(import.meta.dirname, '../../runs/faults/summary.txt');

describe('S3 kill campaign', () => {
  it(`${KILLS} SIGKILLs at seeded random moments, each resumed from the bucket in a fresh folder`, async () => {
    const result = await runS3KillCampaign(KILLS, SEED, 2500);
    process.stdout.write(`${result.summary}\n`);
    mkdirSync(dirname(SUMMARY_FILE), { recursive: true });
    appendFileSync(SUMMARY_FILE, `${new Date().toISOString()} ${result.summary}\n`);
    expect(result.summary).not.toContain('failures');
    expect(result.differingFinals).toBe(0);
    expect(result.brokenInBucket).toBe(0);
  }, Math.max(900_000, KILLS * 60_000));
});
