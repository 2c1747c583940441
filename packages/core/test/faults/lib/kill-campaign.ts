import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import seedrandom from 'seedrandom';
import { runTrainingChild, type ChildResult, type Scenario } from './child.js';
import { inspectCheckpointFolder, newestCheckpoint } from './folder.js';
import { topKMismatch } from './topk.js';

export interface KillPlan {
  scenario: Scenario;
  kills: number;
  /** Kills land uniformly in [0, maxDelayMs) after the child reports `ready`. */
  maxDelayMs: number;
  ballastMb?: number;
}

export interface CampaignResult {
  killed: number;
  resumed: number;
  identical: number;
  /** Kills that left a temp file behind: the kill landed inside a checkpoint write. */
  duringWrite: number;
  /** Complete runs (each compared in full with the uninterrupted one). */
  finishedRuns: number;
  /** Complete ModelCheckpoint runs whose top-k files on disk matched best_k_models.yaml. */
  topKChecked: number;
  /** Complete ModelCheckpoint runs, and what differed in those that did not match. */
  topKRuns: number;
  topKProblems: string[];
  /** One line per broken promise; empty when every check held. */
  problems: string[];
}

interface Reference {
  ready: string;
  steps: Map<number, string>;
  final: string;
}

async function runReference(scenario: Scenario, ballastMb: number | undefined): Promise<Reference> {
  const dir = await mkdtemp(join(tmpdir(), `cairn-faults-ref-${scenario}-`));
  try {
    const run = await runTrainingChild(dir, { scenario, ballastMb });
    if (!run.done || run.ready === undefined) throw new Error(`uninterrupted ${scenario} run failed (code ${run.code}): ${run.stderr}`);
    return { ready: run.ready.digest, steps: run.steps, final: await readFile(join(dir, 'final.json'), 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Every digest the child reported equals the uninterrupted run's at the same step. */
function matchesReference(run: ChildResult, ref: Reference): string | undefined {
  const { ready } = run;
  if (ready === undefined) return 'never reported ready';
  const expected = ready.step === 0 ? ref.ready : ref.steps.get(ready.step);
  if (ready.digest !== expected) return `restored state at step ${ready.step} differs (${ready.digest} vs ${expected})`;
  for (const [step, digest] of run.steps) {
    if (ref.steps.get(step) !== digest) return `state after step ${step} differs (${digest} vs ${ref.steps.get(step)})`;
  }
  return undefined;
}

/**
 * SIGKILLs the crash fixture `plan.kills` times at seeded random moments, resuming with 'last'
 * after each kill. After every kill the folder must hold only verified checkpoints (plus temp
 * files, which never end in .ckpt); the next run must resume from exactly the newest of them and
 * reproduce the uninterrupted run's state digest at every step. A run that finishes before its
 * share of kills is compared in full and a fresh one starts; after the last kill the run is
 * taken to the end.
 */
export async function runKillCampaign(plan: KillPlan, seed: string, log: (line: string) => void = () => undefined): Promise<CampaignResult> {
  const ref = await runReference(plan.scenario, plan.ballastMb);
  const random = seedrandom.alea(`${seed}/${plan.scenario}`);
  const result: CampaignResult = { killed: 0, resumed: 0, identical: 0, duringWrite: 0, finishedRuns: 0, topKChecked: 0, topKRuns: 0, topKProblems: [], problems: [] };
  let dir = await mkdtemp(join(tmpdir(), `cairn-faults-${plan.scenario}-`));
  const dirs = [dir];
  // The newest valid checkpoint after the previous kill: what the next run must resume from.
  let expectedFrom: { path: string; step: number } | undefined;
  let afterKill = false;
  try {
    while (true) {
      const killing = result.killed < plan.kills;
      const delay = killing ? Math.floor(random() * plan.maxDelayMs) : undefined;
      const run = await runTrainingChild(dir, { scenario: plan.scenario, ballastMb: plan.ballastMb, killAfterReadyMs: delay });
      const label = `${plan.scenario} kill ${result.killed + 1}`;
      if (run.hung) result.problems.push(`${label}: child hung`);
      if (afterKill && run.ready !== undefined) {
        if (run.ready.from !== expectedFrom?.path) {
          result.problems.push(`${label}: resumed from ${run.ready.from ?? 'nothing'}, expected ${expectedFrom?.path ?? 'nothing'}`);
        } else {
          result.resumed += 1;
          const mismatch = matchesReference(run, ref);
          if (mismatch === undefined) result.identical += 1;
          else result.problems.push(`${label}: ${mismatch}`);
        }
      } else if (afterKill) {
        result.problems.push(`${label}: resume never became ready (code ${run.code}): ${run.stderr.slice(-500)}`);
      }
      if (run.done) {
        result.finishedRuns += 1;
        const final = await readFile(join(dir, 'final.json'), 'utf8');
        if (final !== ref.final) result.problems.push(`${label}: finished run's weights differ from the uninterrupted run`);
        const mismatch = afterKill ? undefined : matchesReference(run, ref);
        if (mismatch !== undefined) result.problems.push(`${label}: ${mismatch}`);
        if (plan.scenario === 'topk') {
          const wrong = await topKMismatch(dir, 3);
          result.topKRuns += 1;
          if (wrong.length === 0) result.topKChecked += 1;
          result.topKProblems.push(...wrong.map((p) => `${label}: ${p}`));
        }
        if (!killing) break;
        dir = await mkdtemp(join(tmpdir(), `cairn-faults-${plan.scenario}-`));
        dirs.push(dir);
        expectedFrom = undefined;
        afterKill = false;
        continue;
      }
      if (!run.killed) {
        result.problems.push(`${label}: child exited with code ${run.code} instead of finishing: ${run.stderr.slice(-500)}`);
        break;
      }
      result.killed += 1;
      afterKill = true;
      const folder = await inspectCheckpointFolder(dir);
      if (folder.temps.length > 0) result.duringWrite += 1;
      for (const bad of folder.invalid) result.problems.push(`${label}: torn file under a final name: ${bad.error}`);
      for (const path of folder.unexpected) result.problems.push(`${label}: unexpected file ${path}`);
      expectedFrom = newestCheckpoint(folder);
      log(`${label}: after ${delay} ms, step ${expectedFrom?.step ?? 0}${folder.temps.length > 0 ? ', inside a write' : ''}`);
    }
  } finally {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  }
  return result;
}

/** Adds campaign results together. */
export function combine(results: readonly CampaignResult[]): CampaignResult {
  const total: CampaignResult = { killed: 0, resumed: 0, identical: 0, duringWrite: 0, finishedRuns: 0, topKChecked: 0, topKRuns: 0, topKProblems: [], problems: [] };
  for (const r of results) {
    total.killed += r.killed;
    total.resumed += r.resumed;
    total.identical += r.identical;
    total.duringWrite += r.duringWrite;
    total.finishedRuns += r.finishedRuns;
    total.topKChecked += r.topKChecked;
    total.topKRuns += r.topKRuns;
    total.topKProblems.push(...r.topKProblems);
    total.problems.push(...r.problems);
  }
  return total;
}
