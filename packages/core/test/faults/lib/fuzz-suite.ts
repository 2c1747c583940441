import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { runFuzz } from './fuzz-campaign.js';
import { reportSummary } from './summary.js';

/** Runs the corruption fuzzer and checks that every damaged file was refused. Shared by the short and long versions. */
export async function fuzzCheckpoints(count: number, stateCount: number, seed: string, record: boolean): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-fuzz-'));
  try {
    const result = await runFuzz(dir, count, stateCount, seed);
    reportSummary(`mutations ${result.mutations}, rejected ${result.rejected}`, record);
    reportSummary(`state mutations ${result.stateMutations}, rejected by resume ${result.stateRejected}`, record);
    reportSummary(
      `largest buffer request ${result.largestRequestRatio.toFixed(2)}x the file size, largest array-buffer growth beyond the file size ${result.largestGrowth} bytes`,
      record,
    );
    reportSummary(
      `tensors left by refused resumes beyond a failed fit's own ${result.baselineLeak}: file-level ${result.leakedByFileRefusals}, state-level ${result.leakedByStateRefusals}`,
      record,
    );
    if (record) {
      for (const [kind, [drawn, rejected]] of result.byKind) process.stdout.write(`  ${kind}: ${rejected}/${drawn}\n`);
      process.stdout.write(`  refused by check: ${[...result.byCheck].map(([c, n]) => `${c} ${n}`).join(', ')}\n`);
    }
    expect(result.problems.slice(0, 20)).toEqual([]);
    expect(result.rejected).toBe(count);
    expect(result.stateRejected).toBe(stateCount);
    // A damaged file is refused before any tensor is made.
    expect(result.leakedByFileRefusals).toBe(0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
