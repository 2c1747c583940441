import { formatChecksum, updateCrc, writeDigits } from './checksum.js';
import { LENGTH_PREFIX_BYTES as PREFIX_BYTES } from './format.js';
import { checkHeaderLength, buildPreamble, parseHeader, tensorViews } from './header.js';
import { planChecksum, verifyChecksum } from './integrity.js';
import { planLayout, planMetadata } from './layout.js';
import type { DecodedCheckpoint, ReadOptions, TensorRecord } from './types.js';

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
  const path = options.path ?? MEMORY;
  const headerLength = checkHeaderLength(path, file.subarray(0, PREFIX_BYTES), file.length);
  const headerJson = file.subarray(PREFIX_BYTES, PREFIX_BYTES + headerLength);
  const dataStart = PREFIX_BYTES + headerLength;
  const header = parseHeader(path, headerJson, file.length - dataStart);
  const plan = planChecksum(path, header, headerJson, options.requireChecksum ?? true);
  if (plan) verifyChecksum(path, file, plan);
  return { tensors: tensorViews(header.entries, file, dataStart), metadata: header.metadata };
}
