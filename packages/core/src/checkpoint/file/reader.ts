import { constants } from 'node:buffer';
import { open, type FileHandle } from 'node:fs/promises';
import { CHUNK_BYTES, giveBack, takeBuffer } from './buffer-pool.js';
import { checksumWithZeroedDigits, planChecksum, verifyComputedChecksum } from './checksum.js';
import { startChunkChecksum } from './crc-worker.js';
import { CheckpointError } from './errors.js';
import { LENGTH_PREFIX_BYTES as PREFIX_BYTES } from './format.js';
import { checkHeaderLength, parseHeader, tensorViews, type HeaderEntry } from './header.js';
import type { DecodedCheckpoint, ReadOptions } from './types.js';

/** Where the bytes of one tensor go as the file is read. */
export interface TensorSink {
  /**
   * Takes `bytes`, which belong `offset` bytes into the tensor. The view is valid only during the
   * call (its buffer is reused for the next chunk): copy what you keep. Every byte of the tensor
   * arrives exactly once, in order.
   */
  accept(bytes: Uint8Array, offset: number): void;
}

/** The validated header of a streamed file: its tensors in file order and its metadata. */
export interface StreamedCheckpoint {
  entries: HeaderEntry[];
  metadata: Record<string, string>;
}

/**
 * Reads and validates a whole checkpoint, handing each tensor's bytes to the sink `sinkFor`
 * returns for it (called once per tensor, in file order, with its index among all `entries`, after the header is validated and before
 * any data is read; `undefined` skips the tensor, whose bytes are still checksummed).
 *
 * The data are read through two reused chunk buffers: while one chunk is checksummed and copied
 * to its sinks, the next is being read. Nothing the size of the file is ever allocated, so a load
 * costs the destination memory and no more. The 8-byte length is read first and checked against
 * the file size, so a forged length can never make us allocate.
 *
 * The bytes handed over are NOT verified when handed (the structure is; the checksum covers the
 * last chunk too): if this function throws, the caller must discard everything built from them.
 */
export async function streamCheckpointFile(
  path: string,
  options: ReadOptions,
  sinkFor: (entry: HeaderEntry, index: number, entries: readonly HeaderEntry[]) => TensorSink | undefined,
): Promise<StreamedCheckpoint> {
  return readVerified(path, options, { sinkFor });
}

/**
 * Where the data section goes: to per-tensor sinks through reused chunk buffers, or read straight
 * into one buffer of the data section's size that `wholeBuffer` allocates once the header is valid.
 */
type Destination =
  | { sinkFor: (entry: HeaderEntry, index: number, entries: readonly HeaderEntry[]) => TensorSink | undefined }
  | { wholeBuffer: (dataSize: number) => Uint8Array };

async function readVerified(path: string, options: ReadOptions, destination: Destination): Promise<StreamedCheckpoint> {
  const file = await open(path, 'r');
  try {
    const size = (await file.stat()).size;
    const headerLength = checkHeaderLength(path, await readAt(file, 0, Math.min(size, PREFIX_BYTES)), size);
    const shrank = (got: number): CheckpointError => new CheckpointError(path, 'truncated', `file shrank from ${size} to ${got} bytes while being read`);
    // checkHeaderLength guarantees the header fits in the file.
    const headEnd = PREFIX_BYTES + headerLength;
    const head = await readAt(file, 0, headEnd);
    if (head.length !== headEnd) throw shrank(head.length);
    // The length prefix is read twice (alone, then with the header): a file rewritten in between
    // must not pair one length with another header.
    if (checkHeaderLength(path, head.subarray(0, PREFIX_BYTES), size) !== headerLength) {
      throw new CheckpointError(path, 'header-length', 'the header length changed while the file was being read');
    }
    const headerJson = head.subarray(PREFIX_BYTES, headEnd);
    const header = parseHeader(path, headerJson, size - headEnd);
    const plan = planChecksum(path, header, headerJson, options.requireChecksum ?? true);
    const dataSize = size - headEnd;
    const whole = 'wholeBuffer' in destination ? destination.wholeBuffer(dataSize) : undefined;
    const sinks = 'sinkFor' in destination ? header.entries.map(destination.sinkFor) : [];
    // The digits lie inside the header, so the rest of the file is checksummed as it is.
    const checksum = plan === null ? undefined : startChunkChecksum(checksumWithZeroedDigits(head, plan.digitsOffset));
    let crc: Promise<number> | undefined;
    const deliver = chunkDelivery(header.entries, sinks);
    const chunkSize = Math.max(1, Math.min(CHUNK_BYTES, dataSize));
    const chunks = whole === undefined ? ([takeBuffer(chunkSize), takeBuffer(chunkSize)] as const) : undefined;
    // The buffer a chunk is read into: one of the two reused ones, or its place in the whole buffer.
    const chunkBuffer = (at: number, which: number): Uint8Array => chunks?.[which] ?? whole!.subarray(at - headEnd, at - headEnd + chunkSize);
    /** Per chunk buffer: its checksum, which reads it until it settles. */
    const summing: (Promise<void> | undefined)[] = [undefined, undefined];
    let next: Promise<number> | undefined;
    try {
      let position = headEnd;
      let current = 0;
      const readChunk = (at: number, into: Uint8Array): Promise<number> => readInto(file, into.subarray(0, Math.min(size - at, into.length)), at);
      next = position < size ? readChunk(position, chunkBuffer(position, current)) : undefined;
      while (next !== undefined) {
        const start = position;
        const got = await next;
        next = undefined;
        if (got !== Math.min(size - start, chunkSize)) throw shrank(start + got);
        const chunk = chunkBuffer(start, current).subarray(0, got);
        position += got;
        const summed = checksum?.add(chunk);
        summed?.catch(() => undefined);
        summing[current] = summed;
        current = 1 - current;
        if (position < size) {
          // The other buffer is free once its checksum is done (its sinks copied it last turn).
          await summing[current];
          next = readChunk(position, chunkBuffer(position, current));
          // A read that fails while we are here is awaited (and thrown) on the next turn of the loop.
          next.catch(() => undefined);
        }
        if (whole === undefined) deliver(chunk, start - headEnd);
      }
      crc = checksum?.result();
      // Awaited below, after the clean-up's own awaits: a failure must not count as unhandled meanwhile.
      crc?.catch(() => undefined);
    } finally {
      // A read or checksum still running uses a chunk: it must end before the chunks are reused.
      await next?.catch(() => undefined);
      await Promise.all(summing.map((summed) => summed?.catch(() => undefined)));
      // A failed read never asked for its checksum: end it, so the worker forgets it.
      if (crc === undefined) void checksum?.result().catch(() => undefined);
      for (const chunk of chunks ?? []) giveBack(chunk);
    }
    if (plan !== null) verifyComputedChecksum(path, await crc!, plan);
    return { entries: header.entries, metadata: header.metadata };
  } finally {
    await file.close();
  }
}

/**
 * A function that hands each chunk of the data section (starting `dataOffset` bytes into it) to
 * the sinks of the tensors it overlaps. `entries` tile the data section in order (parseHeader
 * checked it), so one cursor walks them once over the whole file.
 */
function chunkDelivery(entries: readonly HeaderEntry[], sinks: readonly (TensorSink | undefined)[]): (chunk: Uint8Array, dataOffset: number) => void {
  let cursor = 0;
  return (chunk, dataOffset) => {
    const chunkEnd = dataOffset + chunk.length;
    while (cursor < entries.length && entries[cursor]!.end <= dataOffset) cursor++;
    for (let i = cursor; i < entries.length && entries[i]!.begin < chunkEnd; i++) {
      const { begin, end } = entries[i]!;
      const from = Math.max(begin, dataOffset);
      const to = Math.min(end, chunkEnd);
      if (to > from) sinks[i]?.accept(chunk.subarray(from - dataOffset, to - dataOffset), from - begin);
    }
  };
}

/**
 * Reads and validates a whole checkpoint into memory: one buffer holding the data section (read
 * straight into it, the CRC of each chunk running while the next is read), of
 * which the tensors returned are views. For tools that want every byte; loading a state into
 * TF.js streams instead (loadCheckpoint).
 */
export async function readCheckpointFile(path: string, options: ReadOptions = {}): Promise<DecodedCheckpoint> {
  let data = new Uint8Array(0);
  const { entries, metadata } = await readVerified(path, options, {
    wholeBuffer: (dataSize) => {
      if (dataSize > constants.MAX_LENGTH) {
        throw new CheckpointError(path, 'too-large', `the data are ${dataSize} bytes, more than one buffer can hold (${constants.MAX_LENGTH})`);
      }
      // allocUnsafeSlow: an unpooled buffer of its own, not zero-filled (every byte is read over).
      data = new Uint8Array(Buffer.allocUnsafeSlow(dataSize).buffer, 0, dataSize);
      return data;
    },
  });
  return { tensors: tensorViews(entries, data, 0), metadata };
}

/**
 * Reads only the header and returns its `__metadata__`, after the same validation as a full read
 * (structure, offsets against the file size, format tag, checksum present and locatable) except
 * the checksum itself, which needs every byte. Meant for scanning many checkpoints cheaply.
 */
export async function readCheckpointMetadata(path: string, options: ReadOptions = {}): Promise<Record<string, string>> {
  const file = await open(path, 'r');
  try {
    const size = (await file.stat()).size;
    const headerLength = checkHeaderLength(path, await readAt(file, 0, Math.min(size, PREFIX_BYTES)), size);
    const json = await readAt(file, PREFIX_BYTES, headerLength);
    if (json.length !== headerLength) throw new CheckpointError(path, 'truncated', 'file shrank while its header was being read');
    const header = parseHeader(path, json, size - PREFIX_BYTES - headerLength);
    planChecksum(path, header, json, options.requireChecksum ?? true);
    return header.metadata;
  } finally {
    await file.close();
  }
}

async function readAt(file: FileHandle, position: number, length: number): Promise<Uint8Array> {
  const buffer = new Uint8Array(length);
  const got = await readInto(file, buffer, position);
  return buffer.subarray(0, got);
}

/** Fills `buffer` from `position` on; returns the bytes read (fewer only at end of file). */
async function readInto(file: FileHandle, buffer: Uint8Array, position: number): Promise<number> {
  let done = 0;
  while (done < buffer.length) {
    const { bytesRead } = await file.read(buffer, done, buffer.length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done;
}
