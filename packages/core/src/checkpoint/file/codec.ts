import { formatChecksum, updateCrc, writeDigits } from './checksum.js';
import { checkHeaderLength, buildPreamble, parseHeader } from './header.js';
import { planChecksum, verifyChecksum, verifyComputedChecksum } from './integrity.js';
import { planLayout, planMetadata } from './layout.js';
import type { DecodedCheckpoint, ReadOptions, TensorRecord } from './types.js';

const PREFIX_BYTES = 8;
const MEMORY = '<memory>';

/** Whole-file bytes of a checkpoint, built in memory (tests, fuzzing, small payloads). */
export function encodeCheckpoint(tensors: readonly TensorRecord[], metadata: Readonly<Record<string, string>> = {}): Uint8Array {
  const layout = planLayout(MEMORY, tensors);
  const preamble = buildPreamble(MEMORY, layout.entries, planMetadata(MEMORY, metadata));
  const file = new Uint8Array(preamble.bytes.length + layout.dataSize);
  file.set(preamble.bytes, 0);
  for (const entry of layout.entries) file.set(entry.source.data, preamble.bytes.length + entry.begin);
  // The placeholder digits are already '0', so the CRC of the buffer as it stands is the checksum.
  writeDigits(file, preamble.digitsOffset, formatChecksum(updateCrc(0, file)));
  return file;
}

/**
 * Validates `file` (the complete bytes of a checkpoint) and returns views into it: nothing is
 * copied, so the caller must not modify `file` while it uses the result.
 */
export function decodeCheckpoint(file: Uint8Array, options: ReadOptions & { path?: string } = {}): DecodedCheckpoint {
  return decodeWithChecksum(file, options, undefined);
}

/** A CRC-32 of the whole file computed as it was read, with the 8 bytes at `digitsOffset` taken as '0'. */
export interface PrecomputedChecksum {
  digitsOffset: number;
  crc: number;
}

/**
 * decodeCheckpoint, with the checksum pass replaced by `precomputed` when it was computed with
 * the digits where this validation finds them (else the bytes are checksummed here as usual).
 */
export function decodeWithChecksum(file: Uint8Array, options: ReadOptions & { path?: string }, precomputed: PrecomputedChecksum | undefined): DecodedCheckpoint {
  const path = options.path ?? MEMORY;
  const headerLength = checkHeaderLength(path, file.subarray(0, PREFIX_BYTES), file.length);
  const headerJson = file.subarray(PREFIX_BYTES, PREFIX_BYTES + headerLength);
  const dataStart = PREFIX_BYTES + headerLength;
  const header = parseHeader(path, headerJson, file.length - dataStart);
  const plan = planChecksum(path, header, headerJson, options.requireChecksum ?? true);
  if (plan) {
    if (precomputed !== undefined && precomputed.digitsOffset === plan.digitsOffset) verifyComputedChecksum(path, precomputed.crc, plan);
    else verifyChecksum(path, file, plan);
  }
  const tensors = new Map<string, TensorRecord>();
  for (const entry of header.entries) {
    const data = new Uint8Array(file.buffer, file.byteOffset + dataStart + entry.begin, entry.end - entry.begin);
    tensors.set(entry.name, { name: entry.name, dtype: entry.dtype, shape: entry.shape, data });
  }
  return { tensors, metadata: header.metadata };
}
