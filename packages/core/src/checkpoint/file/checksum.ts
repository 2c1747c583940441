import { crc32 } from 'node:zlib';
import { CheckpointError } from './errors.js';
import { CHECKSUM_KEY, FORMAT_KEY, FORMAT_NAME, FORMAT_VERSION, FORMAT_VERSION_KEY, LENGTH_PREFIX_BYTES as PREFIX_BYTES } from './format.js';

/**
 * Whole-file CRC-32 (IEEE, as zlib/PNG/gzip), stored as `"checksum":"crc32:<8 lowercase hex>"`
 * inside `__metadata__`. The value covers every byte of the file; the 8 hex digits themselves are
 * taken as ASCII '0' while computing it, which breaks the circularity. CRC-32 over SHA-256: zlib's
 * CRC runs at ~4.7 GB/s here against ~1.6 GB/s for SHA-256 (with SHA-NI; far less without), so
 * verification costs a fraction of the read itself. The goal is catching corruption (torn writes,
 * bit rot, truncation), not tampering: see docs/checkpoint-format.md for the measurements.
 * This file also holds the reader's side: which files must be verified, where their digits are,
 * and the comparison.
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

/** What remains to verify once the header is valid: the digits' place in the file and their value. */
export interface ChecksumPlan {
  /** Absolute offset in the file of the first of the 8 hex digits. */
  digitsOffset: number;
  expected: string;
}

/**
 * What the checksum rules need from a validated header (a ParsedHeader has it; spelled out here so
 * this file does not import the header parser, which imports it).
 */
interface HeaderFacts {
  metadata: Readonly<Record<string, string>>;
  /** Offset within the header JSON of the opening quote of each `__metadata__` string value. */
  metadataValueOffsets: ReadonlyMap<string, number>;
}

const QUOTE = 0x22;
// `"checksum":` - the part of the token before the value's opening quote.
const KEY_PART_LENGTH = CHECKSUM_TOKEN.length - `"${CHECKSUM_ALGORITHM}:`.length;

/**
 * Decides whether the file must be verified and where its digits are. Rules:
 *  - a file tagged `format: cairn.ckpt` must say `format_version: 1` and MUST carry a checksum;
 *  - a file with a `checksum` that starts with `crc32:` is verified whatever its tag, so that one
 *    flipped byte in the tag cannot switch verification off;
 *  - a file with neither is a plain safetensors file: refused unless `requireChecksum` is false.
 */
export function planChecksum(path: string, header: HeaderFacts, headerJson: Uint8Array, requireChecksum: boolean): ChecksumPlan | null {
  const { metadata } = header;
  const isCairn = metadata[FORMAT_KEY] === FORMAT_NAME;
  if (isCairn && metadata[FORMAT_VERSION_KEY] !== FORMAT_VERSION) {
    throw new CheckpointError(
      path,
      'format',
      `format_version is ${JSON.stringify(metadata[FORMAT_VERSION_KEY] ?? null)}; this reader understands version ${FORMAT_VERSION} only`,
    );
  }
  const value = metadata[CHECKSUM_KEY];
  const claimsChecksum = value !== undefined && value.startsWith(`${CHECKSUM_ALGORITHM}:`);
  if (!isCairn && !claimsChecksum) {
    if (!requireChecksum) return null;
    throw new CheckpointError(path, 'checksum', 'file carries no Cairn checksum (a plain safetensors file can be read with { requireChecksum: false })');
  }
  if (value === undefined || !isChecksumValue(value)) {
    throw new CheckpointError(path, 'checksum', `checksum ${JSON.stringify(value ?? null)} is not "${CHECKSUM_ALGORITHM}:" followed by ${CHECKSUM_DIGITS} lowercase hex digits`);
  }
  return { digitsOffset: PREFIX_BYTES + locateDigits(path, header, headerJson, value), expected: value };
}

/**
 * Offset of the digits within the header JSON, found two ways that must agree: the structure
 * (where the scan saw the value of `__metadata__.checksum` start) and the raw bytes (the only
 * occurrence of the token). Any disagreement means we cannot be sure which 8 bytes the writer
 * zeroed, so the file is refused rather than guessed at.
 */
function locateDigits(path: string, header: HeaderFacts, headerJson: Uint8Array, value: string): number {
  const valueOffset = header.metadataValueOffsets.get(CHECKSUM_KEY);
  const tokens = findChecksumTokens(headerJson);
  if (valueOffset === undefined || tokens.length !== 1 || tokens[0] + KEY_PART_LENGTH !== valueOffset) {
    throw new CheckpointError(path, 'checksum', `cannot locate the checksum digits unambiguously (marker found ${tokens.length} times)`);
  }
  const digitsOffset = digitsOffsetOfToken(tokens[0]);
  // The raw string must be exactly the parsed one, with no escape sequences standing in for digits.
  const raw = new TextDecoder().decode(headerJson.subarray(digitsOffset, digitsOffset + CHECKSUM_DIGITS));
  if (`${CHECKSUM_ALGORITHM}:${raw}` !== value || headerJson[digitsOffset + CHECKSUM_DIGITS] !== QUOTE) {
    throw new CheckpointError(path, 'checksum', 'checksum digits are not written literally in the header');
  }
  return digitsOffset;
}

/**
 * Compares the stored checksum with a CRC-32 already computed over the whole file with the digits
 * at `plan.digitsOffset` read as '0' (a reader that checksums while it reads).
 */
export function verifyComputedChecksum(path: string, crc: number, plan: ChecksumPlan): void {
  const actual = formatChecksum(crc);
  if (actual !== plan.expected) {
    throw new CheckpointError(path, 'checksum', `file bytes give ${actual} but the header records ${plan.expected}: the file is corrupt`);
  }
}
