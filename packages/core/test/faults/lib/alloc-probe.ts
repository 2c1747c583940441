import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';

type Allocator = (size: number, ...rest: never[]) => Buffer;
const PATCHED = ['alloc', 'allocUnsafe', 'allocUnsafeSlow'] as const;

function collector(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed !== undefined) return exposed;
  // Outside `node --expose-gc` (the default suite): enable the flag late and fetch gc from a new context.
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

export interface AllocationReport<T> {
  outcome: { ok: true; value: T } | { ok: false; error: unknown };
  /** Largest single Buffer.alloc / allocUnsafe / allocUnsafeSlow request made while `fn` ran. */
  largestRequest: number;
  /** Growth of process.memoryUsage().arrayBuffers across `fn`, with a full GC just before. */
  arrayBufferGrowth: number;
}

/**
 * Measures what `fn` allocates for array data, two ways:
 * - every request to the Buffer allocators is recorded (the reader sizes its one big buffer with
 *   Buffer.allocUnsafeSlow, so a length taken from a forged header would show up here exactly,
 *   even if the allocation failed or was collected at once);
 * - process.memoryUsage().arrayBuffers is read after a full GC and again right after `fn`, with
 *   no GC in between: backing stores `fn` dropped are still counted unless a GC happened to run,
 *   so this catches typed arrays made with `new Uint8Array(n)` that bypass Buffer.
 */
export async function probeAllocations<T>(fn: () => Promise<T>): Promise<AllocationReport<T>> {
  const gc = collector();
  const originals = PATCHED.map((name) => Buffer[name] as Allocator);
  let largestRequest = 0;
  PATCHED.forEach((name, i) => {
    const original = originals[i]!;
    const wrapped: Allocator = (size, ...rest) => {
      largestRequest = Math.max(largestRequest, Number(size));
      return original.call(Buffer, size, ...rest);
    };
    Object.defineProperty(Buffer, name, { value: wrapped, configurable: true, writable: true });
  });
  gc();
  const before = process.memoryUsage().arrayBuffers;
  let outcome: AllocationReport<T>['outcome'];
  try {
    outcome = { ok: true, value: await fn() };
  } catch (error) {
    outcome = { ok: false, error };
  } finally {
    PATCHED.forEach((name, i) => Object.defineProperty(Buffer, name, { value: originals[i], configurable: true, writable: true }));
  }
  const arrayBufferGrowth = process.memoryUsage().arrayBuffers - before;
  return { outcome, largestRequest, arrayBufferGrowth };
}
