import { lockRecord, noteLockHeld, parseLockOwner, whyLockIsStale, type LockOwner } from '../dir-lock.js';
import type { RemoteStorage } from './remote-storage.js';

const LOCK_KEY = '.cairn.lock';
/** Time for a rival's write to land before we read the lock back (servers without conditional writes). */
const SETTLE_MS = 200;

/**
 * The folder lock's rule on a remote prefix: a lock object names its trainer (host, boot, pid,
 * start time, token). One whose owner is provably gone (same machine, process dead or another
 * boot) is taken over with a notice; one from a live process, or from another machine, refuses
 * the fit. The object is created with a conditional write where the server supports it, then
 * read back: of two trainers racing, the one that does not read its own token back gives way.
 */
export async function claimRemotePrefix(storage: RemoteStorage, token: string, notice: (line: string) => void): Promise<() => Promise<void>> {
  const lockUrl = `${storage.url}/${LOCK_KEY}`;
  for (let attempt = 0; attempt < 3; attempt++) {
    const owner = await readOwner(storage);
    if (owner !== 'none' && owner?.token !== token) {
      const stale = whyLockIsStale(owner, lockUrl);
      if (stale === undefined) throw inUse(storage.url, lockUrl, owner!);
      notice(`checkpoint prefix ${storage.url}: taking over the lock ${lockUrl}: ${stale}`);
      await storage.delete(LOCK_KEY);
    }
    try {
      await storage.putText(LOCK_KEY, JSON.stringify(lockRecord(token)), { ifAbsent: owner === 'none' || owner?.token !== token });
    } catch (error) {
      if ((error as { preconditionFailed?: boolean }).preconditionFailed === true) continue;
      throw error;
    }
    await new Promise((done) => setTimeout(done, SETTLE_MS));
    const now = await readOwner(storage);
    if (now !== 'none' && now?.token === token) {
      noteLockHeld(lockUrl, token, true);
      return async () => {
        noteLockHeld(lockUrl, token, false);
        const current = await readOwner(storage);
        if (current !== 'none' && current?.token === token) await storage.delete(LOCK_KEY);
      };
    }
    if (now !== 'none' && now !== undefined) throw inUse(storage.url, lockUrl, now);
  }
  throw new Error(`could not lock checkpoint prefix ${storage.url}: another process keeps claiming ${lockUrl}`);
}

async function readOwner(storage: RemoteStorage): Promise<LockOwner | 'none' | undefined> {
  const bytes = await storage.read(LOCK_KEY);
  if (bytes === undefined) return 'none';
  return parseLockOwner(new TextDecoder().decode(bytes));
}

function inUse(url: string, lockUrl: string, owner: LockOwner): Error {
  return new Error(
    `checkpoint prefix ${url} is in use by another trainer (pid ${owner.pid} on ${owner.host} since ${owner.since}); ` +
      `give this run another dirpath, or delete ${lockUrl} if that trainer is gone`,
  );
}
