import { cp, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { readCheckpointFile, readCheckpointMetadata } from '../../../src/checkpoint/file/index.js';
import { Rng } from '../lib/random.js';
import { carelessness } from './careless-fs.js';
import { CrashMount } from './crash-mount.js';
import { powerRun, type DurableReport, type Place } from './power-run.js';

export interface PowerPlan {
  seed: string;
  /** Run crashes until at least this many crash states were checked. */
  states: number;
  /** Prefix states per crash, besides the durable-only state. */
  prefixes: number;
  /** Resume every state with ckptPath 'last' and compare with the uninterrupted run (the self-test only looks for losses). */
  resume: boolean;
  /** A deliberately wrong writer for the self-test; 'none' is Cairn as it is. */
  mode: typeof carelessness.mode;
  /** Only runs that start without their checkpoint folder (the self-test of the folder rule). */
  onlyMissingFolders?: boolean;
  print?: (line: string) => void;
}

export interface PowerResult {
  crashes: number;
  states: number;
  statesWithoutFolders: number;
  /** Checkpoints reported durable (resolved saves, best_k_models.yaml entries) missing or older in a state. */
  lost: number;
  /** Reported-durable checkpoints looked for, over all states (each state counts its own). */
  checked: number;
  /** Files under a final .ckpt name that fail verification. */
  torn: number;
  resumed: number;
  identical: number;
  problems: string[];
}

const KINDS_TO_CRASH_AT = new Set(['mkdir', 'rename', 'fsyncdir', 'unlink', 'link', 'fsync']);

/**
 * The power-cut campaign: each trial trains under crashfs, freezes it at a chosen or a random
 * change (every later change fails, as on a dead disk), writes the crash states (durable only,
 * then prefixes of the pending changes) and checks each: no checkpoint the run reported durable
 * is missing or older, no torn file under a final name, and a resume with 'last' ends
 * bit-identical to the uninterrupted run (`reference`).
 */
export async function runPowerCampaign(plan: PowerPlan, reference: string): Promise<PowerResult> {
  carelessness.mode = plan.mode;
  const work = await mkdtemp(join(tmpdir(), 'cairn-powercut-'));
  const mountPoint = join(work, 'mnt');
  await mkdir(mountPoint);
  const result: PowerResult = { crashes: 0, states: 0, statesWithoutFolders: 0, checked: 0, lost: 0, torn: 0, resumed: 0, identical: 0, problems: [] };
  try {
    const { kinds, durationMs } = await recordOps(work, mountPoint);
    // Just before and just after each change that makes or moves a name, and each fsync.
    const chosen = kinds.flatMap((kind, index) => (KINDS_TO_CRASH_AT.has(kind) ? [index, index + 1] : []));
    const rng = new Rng(plan.seed);
    for (let trial = 0; result.states < plan.states; trial++) {
      // A third each: at a chosen change, at a random change, at a random moment of the run.
      const crash: CrashPoint =
        trial % 3 === 0 ? { op: chosen[rng.int(chosen.length)]! } : trial % 3 === 1 ? { op: 1 + rng.int(kinds.length - 1) } : { ms: rng.int(durationMs) };
      // The self-test of folders uses only the trials that start without them.
      const index = plan.onlyMissingFolders === true ? 2 * trial : trial;
      await crashTrial(plan, { work, mountPoint, trial: index, crash, reference }, result);
    }
  } finally {
    carelessness.mode = 'none';
    await rm(work, { recursive: true, force: true });
  }
  return result;
}

/** An uninterrupted run under crashfs: the kinds of its changes and fsyncs, in order, and how long it took. */
async function recordOps(work: string, mountPoint: string): Promise<{ kinds: string[]; durationMs: number }> {
  const backing = join(work, 'backing-record');
  await mkdir(backing);
  const mount = await CrashMount.mount(backing, mountPoint);
  const started = Date.now();
  try {
    const run = await powerRun(placeFor(mountPoint, 0).place, false);
    if (run.error !== undefined) throw new Error(`the recording run under crashfs failed: ${String(run.error)}`);
    await mount.trace(join(work, 'trace.txt'));
  } finally {
    await mount.unmount();
  }
  const durationMs = Date.now() - started;
  return { kinds: (await readFile(join(work, 'trace.txt'), 'utf8')).split('\n').filter((line) => line.length > 0), durationMs };
}

/** Before the op-th change or fsync (0-based), or `ms` after the run starts. */
type CrashPoint = { op: number } | { ms: number };

/**
 * Trial 0, 4, 8...: a new dirpath three folders deep (runs/version_0/checkpoints); 2, 6, ...: the
 * default <defaultRootDir>/checkpoints under a defaultRootDir that does not exist either; odd
 * trials: a dirpath that exists before the run.
 */
function placeFor(mountPoint: string, trial: number): { place: Place; dirpath: string; withoutFolders: boolean } {
  if (trial % 2 === 1) return { place: { dirpath: join(mountPoint, 'checkpoints') }, dirpath: join(mountPoint, 'checkpoints'), withoutFolders: false };
  if (trial % 4 === 0) {
    const dirpath = join(mountPoint, 'runs', 'version_0', 'checkpoints');
    return { place: { dirpath }, dirpath, withoutFolders: true };
  }
  const defaultRootDir = join(mountPoint, 'root', 'exp');
  return { place: { defaultRootDir }, dirpath: join(defaultRootDir, 'checkpoints'), withoutFolders: true };
}

interface Trial {
  work: string;
  mountPoint: string;
  trial: number;
  crash: CrashPoint;
  reference: string;
}

async function crashTrial(plan: PowerPlan, trial: Trial, result: PowerResult): Promise<void> {
  const { work, mountPoint, crash } = trial;
  const { place, dirpath, withoutFolders } = placeFor(mountPoint, trial.trial);
  const backing = join(work, `backing-${trial.trial}`);
  await mkdir(backing);
  if (!withoutFolders) await mkdir(join(backing, 'checkpoints'));
  const statesDir = join(work, `crash-${trial.trial}`);
  const mount = await CrashMount.mount(backing, mountPoint);
  let report: DurableReport;
  let folders: string[];
  try {
    let crashing: Promise<number> | undefined;
    let timer: NodeJS.Timeout | undefined;
    if ('op' in crash) await mount.crashAt(crash.op);
    else timer = setTimeout(() => (crashing = mount.crash()), crash.ms);
    ({ report } = await powerRun(place, false));
    clearTimeout(timer);
    await crashing;
    // A run that ended before `at` loses power after its last change.
    if (!(await mount.status()).frozen) await mount.crash();
    ({ folders } = await mount.states(statesDir, plan.prefixes));
  } finally {
    await mount.unmount();
  }
  result.crashes++;
  for (const [index, folder] of folders.entries()) {
    // Each state is put back at the mount point's path, so absolute paths in it (best_k_models.yaml) hold.
    await emptyFolder(mountPoint);
    await cp(folder, mountPoint, { recursive: true });
    const where = `crash ${trial.trial} ${'op' in crash ? `at change ${crash.op}` : `${crash.ms} ms into the run`} (${withoutFolders ? 'without folders' : 'folder present'}), state ${index}`;
    const problems = await checkState(dirpath, report, result);
    if (plan.resume) problems.push(...(await resumeState(place, dirpath, report, trial.reference, result)));
    result.states++;
    if (withoutFolders) result.statesWithoutFolders++;
    for (const problem of problems) result.problems.push(`${where}: ${problem}`);
    if (problems.length > 0) plan.print?.(`${where}: ${problems.join('; ')}`);
  }
  await emptyFolder(mountPoint);
  await rm(statesDir, { recursive: true, force: true });
  await rm(backing, { recursive: true, force: true });
}

/** Losses and torn files in the state now at the mount point. */
async function checkState(dirpath: string, report: DurableReport, result: PowerResult): Promise<string[]> {
  const problems: string[] = [];
  const onDisk = existsSync(dirpath) ? (await readdir(dirpath)).filter((name) => name.endsWith('.ckpt')) : [];
  for (const name of onDisk) {
    try {
      await readCheckpointFile(join(dirpath, name));
    } catch (error) {
      result.torn++;
      problems.push(`torn file under a final name: ${name} (${String(error)})`);
    }
  }
  for (const [path, step] of report.checkpoints) {
    result.checked++;
    const held = await stepOf(path);
    if (held === undefined || held < step) {
      result.lost++;
      problems.push(`${path} was reported durable at step ${step} and is ${held === undefined ? 'missing or unreadable' : `at step ${held}`}`);
    }
  }
  if (report.yamlEntries !== undefined) {
    const yamlPath = join(dirpath, 'best_k_models.yaml');
    if (!existsSync(yamlPath)) {
      result.lost++;
      problems.push('best_k_models.yaml was written and is missing');
    } else {
      const listed = Object.keys((parse(await readFile(yamlPath, 'utf8')) as Record<string, number> | null) ?? {});
      for (const entry of listed) {
        if ((await stepOf(entry)) === undefined) {
          result.lost++;
          problems.push(`best_k_models.yaml lists ${entry}, which is missing or unreadable`);
        }
      }
    }
  }
  return problems;
}

async function stepOf(path: string): Promise<number | undefined> {
  try {
    return Number((await readCheckpointMetadata(path))['cairn.global_step']);
  } catch {
    return undefined;
  }
}

async function resumeState(place: Place, dirpath: string, report: DurableReport, reference: string, result: PowerResult): Promise<string[]> {
  const hasCheckpoint = existsSync(dirpath) && (await readdir(dirpath)).some((name) => name.endsWith('.ckpt'));
  const run = await powerRun(place, hasCheckpoint);
  if (run.error !== undefined) return [`the resumed run failed: ${String(run.error)}`];
  result.resumed++;
  const problems: string[] = [];
  const newestReported = Math.max(-1, ...report.checkpoints.values());
  if (newestReported >= 0 && run.resumedStep < newestReported) problems.push(`resumed from step ${run.resumedStep}, older than the newest durable checkpoint (step ${newestReported})`);
  if (JSON.stringify(run.weights) === reference) result.identical++;
  else problems.push(`the resumed run (from ${run.resumedFrom ?? 'scratch'}) ended with weights that differ from the uninterrupted run`);
  return problems;
}

async function emptyFolder(folder: string): Promise<void> {
  for (const name of await readdir(folder)) await rm(join(folder, name), { recursive: true, force: true });
}
