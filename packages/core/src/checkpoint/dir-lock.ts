import { readFile, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { makeDurableDir } from './file/durable-dir.js';

const LOCK_NAME = '.cairn.lock';

interface LockOwner {
  pid: number;
  host: string;
  token: string;
  since: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readOwner(path: string): Promise<LockOwner | undefined> {
  try {
    const owner = JSON.parse(await readFile(path, 'utf8')) as Partial<LockOwner>;
    return typeof owner.pid === 'number' && typeof owner.token === 'string' ? (owner as LockOwner) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * An exclusive claim on a checkpoint folder for one fit, so two trainers never rotate (and
 * delete) each other's checkpoints. A lock whose process is gone (a crash) is taken over.
 */
export class DirLock {
  private constructor(
    readonly path: string,
    private readonly token: string,
  ) {}

  static async acquire(dir: string, token: string): Promise<DirLock> {
    // The lock is often the first thing in a new checkpoint folder: make the folder durable here.
    await makeDurableDir(dir);
    const path = join(dir, LOCK_NAME);
    const me: LockOwner = { pid: process.pid, host: hostname(), token, since: new Date().toISOString() };
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await writeFile(path, JSON.stringify(me), { flag: 'wx' });
        return new DirLock(path, token);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const owner = await readOwner(path);
      if (owner !== undefined && owner.token === token) return new DirLock(path, token);
      const stale = owner === undefined || (owner.host === me.host && !alive(owner.pid));
      if (!stale) {
        throw new Error(
          `checkpoint folder ${dir} is in use by another trainer (pid ${owner.pid} on ${owner.host} since ${owner.since}); ` +
            `give this run another dirpath, or delete ${path} if that process is gone`,
        );
      }
      await unlink(path).catch(() => undefined);
    }
    throw new Error(`could not lock checkpoint folder ${dir}: another process keeps claiming ${path}`);
  }

  /** Releases the claim if it is still ours. */
  async release(): Promise<void> {
    const owner = await readOwner(this.path);
    if (owner?.token === this.token) await unlink(this.path).catch(() => undefined);
  }
}
