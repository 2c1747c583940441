/**
 * Size of the chunk buffers the writer stages through and the reader reads through. Large enough
 * that each read or write costs few syscalls; small enough that two of them stay a small part of
 * any state worth checkpointing.
 */
export const CHUNK_BYTES = 8 << 20;

/**
 * Chunk buffers of finished saves and loads, kept for the next one. Fresh memory is expensive
 * twice over: the first touch of a new page runs at ~0.3 GB/s on the VMs measured (against
 * ~10 GB/s into memory already touched), and a fresh 16 MiB of external memory per save or load
 * makes V8 run a full GC ("external memory pressure") in the middle of it.
 */
const spares: Uint8Array[] = [];
/** Enough for one save and one load at a time; a third user allocates and its buffers are dropped. */
const MAX_SPARES = 4;

/**
 * A buffer of `size` bytes, callers use only bytes they wrote into it. Shared memory, so the
 * checksum worker reads the chunks in place (crc-worker.ts).
 */
export function takeBuffer(size: number): Uint8Array {
  if (size === CHUNK_BYTES) {
    const spare = spares.pop();
    if (spare !== undefined) return spare;
  }
  return new Uint8Array(new SharedArrayBuffer(size));
}

/** Gives a buffer back for reuse. Only once nothing (no read or write in flight) uses it any more. */
export function giveBack(buffer: Uint8Array): void {
  if (buffer.length === CHUNK_BYTES && spares.length < MAX_SPARES && !spares.includes(buffer)) spares.push(buffer);
}
