import { crc32 } from 'node:zlib';

/**
 * Whole-file CRC-32 (IEEE, as zlib/PNG/gzip), stored as `"checksum":"crc32:<8 lowercase hex>"`
 * inside `__metadata__`. The value covers every byte of the file; the 8 hex digits themselves are
 * taken as ASCII '0' while computing it, which breaks the circularity. CRC-32 over SHA-256: zlib's
 * CRC runs at ~4.7 GB/s here against ~1.6 GB/s for SHA-256 (with SHA-NI; far less without), so
 * verification costs a fraction of the read itself. The goal is catching corruption (torn writes,
 * bit rot, truncation), not tampering: see docs/checkpoint-format.md for the measurements.
 */

export const CHECKSUM_ALGORITHM = 'crc32';
export const CHECKSUM_DIGITS = 8;
/** Value written before the digits are known; also the value the digits are replaced with. */
export const CHECKSUM_PLACEHOLDER = `${CHECKSUM_ALGORITHM}:${'0'.repeat(CHECKSUM_DIGITS)}`;
const CHECKSUM_VALUE_PATTERN = /^crc32:[0-9a-f]{8}$/;

/**
 * The raw header bytes that precede the digits. In compact JSON this sequence can only be the
 * `checksum` member written with no whitespace: a quote inside a JSON string is always escaped,
 * so the sequence could otherwise only arise from a key ending in `\"checksum` whose value starts
 * with `crc32:` (the first quote being an escaped one). Writers refuse to produce that, and
 * readers require exactly one occurrence located where the JSON structure puts the member.
 */
export const CHECKSUM_TOKEN = new TextEncoder().encode(`"checksum":"${CHECKSUM_ALGORITHM}:`);
const ZERO_DIGITS = new TextEncoder().encode('0'.repeat(CHECKSUM_DIGITS));

export function isChecksumValue(value: string): boolean {
  return CHECKSUM_VALUE_PATTERN.test(value);
}

export function formatChecksum(crc: number): string {
  return `${CHECKSUM_ALGORITHM}:${(crc >>> 0).toString(16).padStart(CHECKSUM_DIGITS, '0')}`;
}

/** Running CRC-32: pass the previous result as `previous` to continue over the next chunk. */
export function updateCrc(previous: number, chunk: Uint8Array): number {
  return crc32(chunk, previous);
}

/** Every offset in `bytes` where CHECKSUM_TOKEN starts. */
export function findChecksumTokens(bytes: Uint8Array): number[] {
  const found: number[] = [];
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = view.indexOf(CHECKSUM_TOKEN);
  while (at >= 0) {
    found.push(at);
    at = view.indexOf(CHECKSUM_TOKEN, at + 1);
  }
  return found;
}

/** Offset of the first hex digit given the offset of the token. */
export function digitsOffsetOfToken(tokenOffset: number): number {
  return tokenOffset + CHECKSUM_TOKEN.length;
}

/**
 * CRC-32 of `file` with the 8 bytes at `digitsOffset` read as '0'. Computed in three runs so the
 * file buffer is neither copied nor modified.
 */
export function checksumWithZeroedDigits(file: Uint8Array, digitsOffset: number): number {
  let crc = crc32(file.subarray(0, digitsOffset));
  crc = crc32(ZERO_DIGITS, crc);
  return crc32(file.subarray(digitsOffset + CHECKSUM_DIGITS), crc);
}

export function writeDigits(target: Uint8Array, digitsOffset: number, value: string): void {
  const digits = value.slice(CHECKSUM_ALGORITHM.length + 1);
  for (let i = 0; i < CHECKSUM_DIGITS; i++) target[digitsOffset + i] = digits.charCodeAt(i);
}
