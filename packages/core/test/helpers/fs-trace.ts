import type * as FsPromises from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

type Fs = typeof FsPromises;

/**
 * Folders created in `calls` (by any mkdir) whose entry was not made durable afterwards: no
 * fsync of the folder's parent follows the mkdir. A recursive mkdir counts only its last folder,
 * which is why writers must not use one for data they report durable.
 */
export function foldersNotMadeDurable(calls: readonly FsCall[]): string[] {
  const lost: string[] = [];
  calls.forEach((call, index) => {
    if (call.op !== 'mkdir') return;
    const parent = dirname(call.path);
    const synced = calls.slice(index + 1).some((later) => later.op === 'sync' && later.path === parent);
    if (!synced) lost.push(call.path);
  });
  return lost;
}

/** One completed file-system call, in the order the code under test made them. */
export type FsCall =
  | { op: 'open'; path: string; flags: string }
  | { op: 'write' | 'sync' | 'close' | 'mkdir'; path: string }
  | { op: 'rename'; from: string; to: string };

/**
 * What the code under test did through node:fs/promises. Install it in a test file with
 *   vi.mock('node:fs/promises', async (real) => (await import('../helpers/fs-trace.js')).tracedFs(await real()));
 * and the calls of every module (src included) land in `fsTrace.calls`. `beforeRename` runs
 * before each rename (a test can hold a write there, as a slow disk would).
 */
export const fsTrace: {
  calls: FsCall[];
  beforeRename: ((from: string, to: string) => Promise<void>) | undefined;
  /** Runs before each symlink; throwing makes the symlink fail (a platform without symlinks). */
  beforeSymlink: (() => void) | undefined;
} = {
  calls: [],
  beforeRename: undefined,
  beforeSymlink: undefined,
};

export function resetFsTrace(): void {
  fsTrace.calls.length = 0;
  fsTrace.beforeRename = undefined;
  fsTrace.beforeSymlink = undefined;
}

const WRITES: ReadonlySet<PropertyKey> = new Set(['write', 'writeFile', 'writev', 'appendFile']);

/** A FileHandle that records writes, sync and close on `path`, and otherwise is the real one. */
function traceHandle(handle: FileHandle, path: string): FileHandle {
  return new Proxy(handle, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      const op = property === 'sync' || property === 'close' ? property : WRITES.has(property) ? 'write' : undefined;
      if (op === undefined) return method.bind(target);
      return async (...args: unknown[]) => {
        const result = await method.apply(target, args);
        fsTrace.calls.push({ op, path });
        return result;
      };
    },
  });
}

export function tracedFs(real: Fs): Fs {
  return {
    ...real,
    open: (async (...args: Parameters<Fs['open']>) => {
      const handle = await real.open(...args);
      const path = String(args[0]);
      fsTrace.calls.push({ op: 'open', path, flags: String(args[1] ?? 'r') });
      return traceHandle(handle, path);
    }) as Fs['open'],
    mkdir: (async (...args: Parameters<Fs['mkdir']>) => {
      const result = await real.mkdir(...args);
      fsTrace.calls.push({ op: 'mkdir', path: String(args[0]) });
      return result;
    }) as Fs['mkdir'],
    symlink: async (...args: Parameters<Fs['symlink']>) => {
      fsTrace.beforeSymlink?.();
      await real.symlink(...args);
    },
    rename: async (...args: Parameters<Fs['rename']>) => {
      const [from, to] = args.map(String) as [string, string];
      await fsTrace.beforeRename?.(from, to);
      await real.rename(...args);
      fsTrace.calls.push({ op: 'rename', from, to });
    },
  };
}
