import type * as FsPromises from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

type Fs = typeof FsPromises;

/** Folders made and paths fsynced, in order, by everything that goes through node:fs/promises (@cairn/core's dist included). */
export const syncSpy: { events: { op: 'mkdir' | 'sync'; path: string }[] } = { events: [] };

/**
 * Install with
 *   vi.mock('node:fs/promises', async (real) => (await import('./helpers/sync-spy.js')).spiedFs(await real()));
 */
export function spiedFs(real: Fs): Fs {
  const spiedHandle = (handle: FileHandle, path: string): FileHandle =>
    new Proxy(handle, {
      get(target, property) {
        const value: unknown = Reflect.get(target, property, target);
        if (typeof value !== 'function') return value;
        if (property !== 'sync') return (value as (...args: unknown[]) => unknown).bind(target);
        return async () => {
          await target.sync();
          syncSpy.events.push({ op: 'sync', path });
        };
      },
    });
  return {
    ...real,
    open: (async (...args: Parameters<Fs['open']>) => spiedHandle(await real.open(...args), String(args[0]))) as Fs['open'],
    mkdir: (async (...args: Parameters<Fs['mkdir']>) => {
      const result = await real.mkdir(...args);
      syncSpy.events.push({ op: 'mkdir', path: String(args[0]) });
      return result;
    }) as Fs['mkdir'],
  };
}

/** Folders whose creation no later fsync of their parent made durable. */
export function foldersLeftVolatile(): string[] {
  const { events } = syncSpy;
  return events.flatMap((event, index) =>
    event.op === 'mkdir' && !events.slice(index + 1).some((later) => later.op === 'sync' && later.path === dirname(event.path)) ? [event.path] : [],
  );
}
