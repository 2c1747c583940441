import { expect } from 'vitest';
import { combine, runKillCampaign, type KillPlan } from './kill-campaign.js';
import { reportSummary } from './summary.js';

/**
 * Runs one campaign per plan and checks the promise of crash safety: every kill was followed by
 * a resume from the newest valid checkpoint that reproduced the uninterrupted run bit for bit.
 * Shared by the short (default suite) and long (test:faults) versions.
 */
export async function killAndResume(plans: readonly KillPlan[], seed: string, record: boolean): Promise<void> {
  const results = [];
  for (const plan of plans) results.push(await runKillCampaign(plan, seed, record ? (line) => process.stdout.write(`  ${line}\n`) : undefined));
  const total = combine(results);
  reportSummary(`killed ${total.killed}, resumed ${total.resumed}, identical ${total.identical}`, record);
  reportSummary(`kills inside a checkpoint write ${total.duringWrite}, complete runs compared ${total.finishedRuns}`, record);
  if (total.topKRuns > 0) {
    reportSummary(`ModelCheckpoint runs whose top-k on disk matched best_k_models.yaml: ${total.topKChecked} of ${total.topKRuns}`, record);
    for (const problem of total.topKProblems) reportSummary(`  ${problem}`, record);
  }
  expect(total.problems).toEqual([]);
  // The ModelCheckpoint runs end with exactly the files of best_k_models.yaml, at most k.
  expect(total.topKProblems).toEqual([]);
  const kills = plans.reduce((sum, p) => sum + p.kills, 0);
  expect(total).toMatchObject({ killed: kills, resumed: kills, identical: kills });
}
