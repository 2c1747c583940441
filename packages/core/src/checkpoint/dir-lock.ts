import { link, readFile, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { makeDurableDir, syncFolderChain } from './file/durable-dir.js';
import { currentBootId, isProcessAlive, processStartTime } from './file/process-identity.js';
import { tempNameFor } from './file/atomic-write.js';

const LOCK_NAME = '.cairn.lock';

/** What `.cairn.lock` holds: enough to tell its writer from any later process with the same pid. */
export interface LockOwner {
  pid: number;
  host: string;
  token: string;
  since: string;
  /** Absent in locks of older versions and where /proc is missing. */
  bootId?: string;
  startTime?: string;
}

/** Tokens of the locks this process holds now, by lock path: a rival in this very process is alive. */
const heldHere = new Map<string, Set<string>>();

/** Records that this process holds (or no longer holds) the lock at `path` (a file or a remote URL). */
export function noteLockHeld(path: string, token: string, held: boolean): void {
  const tokens = heldHere.get(path) ?? new Set<string>();
  if (held) tokens.add(token);
  else tokens.delete(token);
  heldHere.set(path, tokens);
}

export function lockRecord(token: string): LockOwner {
  return { pid: process.pid, host: hostname(), token, since: new Date().toISOString(), bootId: currentBootId(), startTime: processStartTime(process.pid) };
}

/** The lock's owner; undefined for a file that is not a lock; 'gone' when it was released meanwhile. */
async function readOwner(path: string): Promise<LockOwner | 'gone' | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw error;
  }
  return parseLockOwner(text);
}

/** The owner a lock's text names; undefined for text that is not a lock. */
export function parseLockOwner(text: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(text) as Partial<LockOwner>;
    return typeof owner.pid === 'number' && typeof owner.token === 'string' ? (owner as LockOwner) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Why the lock's owner is provably gone, or undefined when it may be alive (then the folder is
 * in use). A lock from another machine is never judged: its processes cannot be seen from here.
 */
export function whyLockIsStale(owner: LockOwner | undefined, path: string): string | undefined {
  if (owner === undefined) return 'the lock file is unreadable';
  if (owner.host !== hostname()) return undefined;
  const bootId = currentBootId();
  if (owner.bootId !== undefined && bootId !== undefined && owner.bootId !== bootId) return `it was taken before a reboot (boot ${owner.bootId})`;
  if (owner.pid === process.pid) {
    // Our own pid: either a live lock of this process (another trainer here) or a previous
    // process that had our pid, as a container's pid 1 after a restart.
    if (heldHere.get(path)?.has(owner.token) === true) return undefined;
    return `its pid ${owner.pid} is this process's, which does not hold it (a restart that reused the pid)`;
  }
  if (!isProcessAlive(owner.pid)) return `process ${owner.pid} is gone`;
  const startTime = processStartTime(owner.pid);
  if (owner.startTime !== undefined && startTime !== undefined && owner.startTime !== startTime) {
    return `pid ${owner.pid} now belongs to another process (started at tick ${startTime}, the lock's at ${owner.startTime})`;
  }
  return undefined;
}

/**
 * An exclusive claim on a checkpoint folder for one fit, so two trainers never rotate (and
 * delete) each other's checkpoints. The lock names its process by boot id, pid and start time;
 * one whose owner is not provably alive (a crash, a reboot, a reused pid) is taken over with a
 * notice, so a restarted run never needs the lock deleted by hand.
 */
export class DirLock {
  private constructor(
    readonly path: string,
    private readonly token: string,
  ) {}

  static async acquire(dir: string, token: string, notice: (line: string) => void = () => undefined): Promise<DirLock> {
    // The lock is often the first thing in a new checkpoint folder: make the folder durable here,
    // including folders an earlier run created and was killed before syncing.
    await makeDurableDir(dir);
    await syncFolderChain(dir);
    const path = join(dir, LOCK_NAME);
    const mine = lockRecord(token);
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await createWhole(path, JSON.stringify(mine))) return DirLock.held(path, token);
      const owner = await readOwner(path);
      if (owner === 'gone') continue;
      if (owner !== undefined && owner.token === token) return DirLock.held(path, token);
      const stale = whyLockIsStale(owner, path);
      if (stale === undefined) {
        const who = owner as LockOwner;
        throw new Error(
          `checkpoint folder ${dir} is in use by another trainer (pid ${who.pid} on ${who.host} since ${who.since}); ` +
            `give this run another dirpath, or delete ${path} if that process is gone`,
        );
      }
      notice(`checkpoint folder ${dir}: taking over the lock ${path}: ${stale}`);
      await unlink(path).catch(() => undefined);
    }
    throw new Error(`could not lock checkpoint folder ${dir}: another process keeps claiming ${path}`);
  }

  private static held(path: string, token: string): DirLock {
    noteLockHeld(path, token, true);
    return new DirLock(path, token);
  }

  /** Releases the claim if it is still ours. */
  async release(): Promise<void> {
    noteLockHeld(this.path, this.token, false);
    const owner = await readOwner(this.path);
    if (typeof owner === 'object' && owner.token === this.token) await unlink(this.path).catch(() => undefined);
  }
}

/**
 * Creates `path` holding `text`, or returns false if it exists. The text is written to a temp
 * file first and hard-linked into place, so a rival never reads a half-written lock (an empty
 * file would look unreadable, hence stale).
 */
async function createWhole(path: string, text: string): Promise<boolean> {
  const temp = join(path, '..', tempNameFor(LOCK_NAME));
  await writeFile(temp, text, { flag: 'wx' });
  try {
    await link(temp, path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw error;
    // No hard links on this file system: exclusive create of the final name instead.
    return writeFile(path, text, { flag: 'wx' }).then(
      () => true,
      (createError: NodeJS.ErrnoException) => {
        if (createError.code === 'EEXIST') return false;
        throw createError;
      },
    );
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}
