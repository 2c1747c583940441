import type * as FsPromises from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';

type Fs = typeof FsPromises;

/**
 * node:fs/promises as the campaign's runs see it. It records the checkpoints the program deleted
 * (a deleted file is no longer one it reports durable) and, for the harness's self-test, can turn
 * Cairn's writers into deliberately wrong ones:
 *   'skip-file-fsync'  fsync of a file does nothing: rename without fsync
 *   'skip-dir-fsync'   fsync of a folder does nothing: mkdir without the parent's fsync, and the
 *                      rename itself never made durable
 * Install in a test file with
 *   vi.mock('node:fs/promises', async (real) => (await import('./powercut/careless-fs.js')).carelessFs(await real()));
 */
export const carelessness: { mode: 'none' | 'skip-file-fsync' | 'skip-dir-fsync'; deleted: string[] } = { mode: 'none', deleted: [] };

function carelessHandle(handle: FileHandle, isFolder: () => Promise<boolean>): FileHandle {
  return new Proxy(handle, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      if (property !== 'sync' && property !== 'datasync') return (value as (...args: unknown[]) => unknown).bind(target);
      return async () => {
        const skip = carelessness.mode === ((await isFolder()) ? 'skip-dir-fsync' : 'skip-file-fsync');
        if (!skip) await target.sync();
      };
    },
  });
}

export function carelessFs(real: Fs): Fs {
  return {
    ...real,
    open: (async (...args: Parameters<Fs['open']>) => {
      const handle = await real.open(...args);
      return carelessHandle(handle, async () => (await handle.stat()).isDirectory());
    }) as Fs['open'],
    unlink: async (...args: Parameters<Fs['unlink']>) => {
      await real.unlink(...args);
      carelessness.deleted.push(String(args[0]));
    },
  };
}
