import { constants } from 'node:buffer';
import { open, type FileHandle } from 'node:fs/promises';
import { checksumWithZeroedDigits, updateCrc } from './checksum.js';
import { CheckpointError } from './errors.js';
import { LENGTH_PREFIX_BYTES as PREFIX_BYTES } from './format.js';
import { checkHeaderLength, parseHeader, tensorViews } from './header.js';
import { planChecksum, verifyComputedChecksum } from './integrity.js';
import type { DecodedCheckpoint, ReadOptions, TensorRecord } from './types.js';

/** Data are read in chunks of this size, so the CRC of one chunk runs while the next is read. */
const READ_CHUNK_BYTES = 8 << 20;

/**
 * Reads and validates a whole checkpoint. The file is read once into a buffer of its exact size
 * (the 8-byte length is read first and checked against the file size, so a forged length can
 * never make us allocate); tensor data are views into that buffer. The prefix and header are read
 * and validated first, which locates the checksum digits; the data then follow in chunks, and the
 * CRC of each chunk is computed while the next one is being read. The header is parsed once; the
 * tensors returned are views of it into the buffer, handed out only after the CRC matched.
 */
export async function readCheckpointFile(path: string, options: ReadOptions = {}): Promise<DecodedCheckpoint> {
  return readCheckpointFileStreaming(path, options, undefined);
}

/**
 * readCheckpointFile that also hands each tensor to `onTensorRead` as soon as its bytes are in,
 * in file order, so a consumer can copy it elsewhere while the next chunk is being read. The
 * tensors are NOT verified yet when handed over (structure is; the checksum comes at the end): if
 * this function throws, the consumer must discard everything it built from them.
 */
export async function readCheckpointFileStreaming(
  path: string,
  options: ReadOptions,
  onTensorRead: ((record: TensorRecord) => void) | undefined,
): Promise<DecodedCheckpoint> {
  const file = await open(path, 'r');
  try {
    const size = (await file.stat()).size;
    if (size > constants.MAX_LENGTH) {
      throw new CheckpointError(path, 'too-large', `file is ${size} bytes, more than one buffer can hold (${constants.MAX_LENGTH})`);
    }
    const headerLength = checkHeaderLength(path, await readAt(file, 0, Math.min(size, PREFIX_BYTES)), size);
    // allocUnsafeSlow: an unpooled buffer of its own, not zero-filled (every byte is read over).
    const raw = Buffer.allocUnsafeSlow(size);
    const buffer = new Uint8Array(raw.buffer, raw.byteOffset, size);
    const shrank = (got: number): CheckpointError => new CheckpointError(path, 'truncated', `file shrank from ${size} to ${got} bytes while being read`);
    // checkHeaderLength guarantees the header fits in the file.
    const headEnd = PREFIX_BYTES + headerLength;
    const gotHead = await readInto(file, buffer.subarray(0, headEnd), 0);
    if (gotHead !== headEnd) throw shrank(gotHead);
    // The length prefix is read twice (alone, then with the header): a file rewritten in between
    // must not pair one length with another header.
    if (checkHeaderLength(path, buffer.subarray(0, PREFIX_BYTES), size) !== headerLength) {
      throw new CheckpointError(path, 'header-length', 'the header length changed while the file was being read');
    }
    const headerJson = buffer.subarray(PREFIX_BYTES, headEnd);
    const header = parseHeader(path, headerJson, size - headEnd);
    const plan = planChecksum(path, header, headerJson, options.requireChecksum ?? true);
    let handedOver = 0;
    const handOverReadTensors = (readUpTo: number): void => {
      if (onTensorRead === undefined) return;
      for (; handedOver < header.entries.length; handedOver++) {
        const { name, dtype, shape, begin, end } = header.entries[handedOver]!;
        if (headEnd + end > readUpTo) return;
        onTensorRead({ name, dtype, shape, data: buffer.subarray(headEnd + begin, headEnd + end) });
      }
    };
    handOverReadTensors(headEnd);
    // The digits lie inside the header, so the rest of the file is checksummed as it is.
    let crc = plan === null ? 0 : checksumWithZeroedDigits(buffer.subarray(0, headEnd), plan.digitsOffset);
    let position = headEnd;
    const readChunk = (at: number): Promise<number> => readInto(file, buffer.subarray(at, Math.min(size, at + READ_CHUNK_BYTES)), at);
    let next = position < size ? readChunk(position) : undefined;
    while (next !== undefined) {
      const start = position;
      const got = await next;
      const expected = Math.min(size, start + READ_CHUNK_BYTES) - start;
      if (got !== expected) throw shrank(start + got);
      position += got;
      next = position < size ? readChunk(position) : undefined;
      // A read that fails while we are here is awaited (and thrown) on the next turn of the loop.
      next?.catch(() => undefined);
      if (plan !== null) crc = updateCrc(crc, buffer.subarray(start, position));
      handOverReadTensors(position);
    }
    if (plan !== null) verifyComputedChecksum(path, crc, plan);
    // The header was parsed and validated once, above; the checksum now covers every byte.
    return { tensors: tensorViews(header, buffer, headEnd), metadata: header.metadata };
  } finally {
    await file.close();
  }
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
