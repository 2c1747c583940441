import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { runTrainingChild, type ChildOptions, type ChildResult } from './child.js';
import { inspectCheckpointFolder, newestCheckpoint, type FolderReport } from './folder.js';
import { mountTinyFilesystem, unprivilegedPrefix } from './privileges.js';

export interface DiskFaultOutcome {
  name: string;
  /** Why the case could not run on this machine. */
  skipped?: string;
  /** The child whose save hit the fault. */
  child?: ChildResult;
  /** Error codes the failed save may report. */
  expectedCodes: string[];
  /** CRC-32 of each checkpoint that existed before the fault, by path. */
  before: Map<string, number>;
  after?: FolderReport;
  /** CRC-32 of the same files afterwards (missing when a file disappeared). */
  afterCrcs: Map<string, number>;
  /**
   * Whether the failed save may leave its temp file behind. Only when the folder itself refuses
   * changes: a temp file opened just before the folder turned read-only can be neither renamed
   * nor deleted. It is harmless (never a .ckpt) and the recovery run must remove it.
   */
  tempsMayRemain: boolean;
  /** A run started once the fault is gone: it must resume from the newest checkpoint and finish. */
  recovery?: { expectedFrom: string | undefined; run: ChildResult; after: FolderReport };
}

async function fileCrcs(paths: readonly string[]): Promise<Map<string, number>> {
  const crcs = new Map<string, number>();
  for (const path of paths) {
    const bytes = await readFile(path).catch(() => undefined);
    if (bytes !== undefined) crcs.set(path, crc32(bytes));
  }
  return crcs;
}

async function finish(outcome: DiskFaultOutcome, dir: string): Promise<DiskFaultOutcome> {
  outcome.after = await inspectCheckpointFolder(dir);
  outcome.afterCrcs = await fileCrcs([...outcome.before.keys()]);
  return outcome;
}

/** Runs the fixture again once the fault is removed and records where it resumed from. */
async function recover(outcome: DiskFaultOutcome, dir: string, options: ChildOptions): Promise<void> {
  const expectedFrom = newestCheckpoint(outcome.after!)?.path;
  const run = await runTrainingChild(dir, { ...options, hangAfterMs: 120_000 });
  outcome.recovery = { expectedFrom, run, after: await inspectCheckpointFolder(dir) };
}

/** Trains (large scenario) until `step`, then SIGKILLs: leaves valid checkpoints to protect. */
async function seedCheckpoints(dir: string, ballastMb: number, step: number): Promise<Map<string, number>> {
  await runTrainingChild(dir, { scenario: 'large', ballastMb, killAtStep: step });
  const report = await inspectCheckpointFolder(dir);
  return fileCrcs(report.checkpoints.map((c) => c.path));
}

/**
 * `ulimit -f`: the folder holds checkpoints of a 2x larger state than the limit allows, so the
 * resumed run's first save dies half-way with EFBIG (Node ignores SIGXFSZ, so write(2) fails
 * instead of the process being killed).
 */
export async function fileSizeLimitCase(ballastMb: number): Promise<DiskFaultOutcome> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-efbig-'));
  const outcome: DiskFaultOutcome = { name: `ulimit -f ${(ballastMb * 1024) / 2} KB`, expectedCodes: ['EFBIG'], before: new Map(), afterCrcs: new Map(), tempsMayRemain: false };
  try {
    // Killed at step 4: the write of step 2 is durable by then (one write in flight, captured at step 3).
    outcome.before = await seedCheckpoints(dir, ballastMb, 4);
    if (outcome.before.size === 0) throw new Error('the seeding run left no checkpoint');
    const limitKb = (ballastMb * 1024) / 2;
    outcome.child = await runTrainingChild(dir, {
      scenario: 'large',
      ballastMb,
      prefix: ['bash', '-c', `ulimit -f ${limitKb} && exec "$@"`, 'bash'],
      hangAfterMs: 120_000,
    });
    await finish(outcome, dir);
    await recover(outcome, dir, { scenario: 'large', ballastMb });
    return outcome;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The checkpoint folder becomes read-only (chmod 0555) while the run saves after every step:
 * the next save cannot create its temp file (EACCES).
 */
export async function readOnlyFolderCase(atStep: number): Promise<DiskFaultOutcome> {
  const outcome: DiskFaultOutcome = {
    name: `folder made read-only at step ${atStep}`,
    expectedCodes: ['EACCES', 'EPERM', 'EROFS'],
    before: new Map(),
    afterCrcs: new Map(),
    tempsMayRemain: true,
  };
  const how = unprivilegedPrefix();
  if ('skip' in how) return { ...outcome, skipped: how.skip };
  const dir = await mkdtemp(join(tmpdir(), 'cairn-readonly-'));
  let frozen: Promise<void> | undefined;
  try {
    outcome.child = await runTrainingChild(dir, {
      prefix: how.prefix,
      hangAfterMs: 120_000,
      onLine(line) {
        if (frozen === undefined && line.startsWith(`step ${atStep} `)) {
          frozen = chmod(dir, 0o555).then(async () => {
            // Nothing can be added or removed from here on: what is there now must survive as is.
            outcome.before = await fileCrcs((await inspectCheckpointFolder(dir)).checkpoints.map((c) => c.path));
          });
        }
      },
    });
    await frozen;
    if (frozen === undefined) throw new Error(`the run never reached step ${atStep}`);
    await finish(outcome, dir);
    await chmod(dir, 0o700);
    await recover(outcome, dir, { prefix: how.prefix });
    return outcome;
  } finally {
    await chmod(dir, 0o700).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

/** A real full disk: a tmpfs with room for two checkpoints of the large state; the third save fails with ENOSPC. */
export async function fullDiskCase(ballastMb: number): Promise<DiskFaultOutcome> {
  const sizeMb = Math.ceil(ballastMb * 2.5);
  const outcome: DiskFaultOutcome = {
    name: `${sizeMb} MB tmpfs filled by ${ballastMb} MB checkpoints`,
    expectedCodes: ['ENOSPC'],
    before: new Map(),
    afterCrcs: new Map(),
    tempsMayRemain: false,
  };
  const dir = await mkdtemp(join(tmpdir(), 'cairn-enospc-'));
  const mount = mountTinyFilesystem(dir, sizeMb);
  try {
    if ('skip' in mount) return { ...outcome, skipped: mount.skip };
    try {
      outcome.child = await runTrainingChild(dir, { scenario: 'large', ballastMb, hangAfterMs: 120_000 });
      // The files left are those written before the disk filled up: finish() verifies each one.
      return await finish(outcome, dir);
    } finally {
      mount.unmount();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
