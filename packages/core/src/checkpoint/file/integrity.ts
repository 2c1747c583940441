import { CHECKSUM_ALGORITHM, CHECKSUM_DIGITS, CHECKSUM_TOKEN, digitsOffsetOfToken, findChecksumTokens, formatChecksum, isChecksumValue } from './checksum.js';
import { CheckpointError } from './errors.js';
import { CHECKSUM_KEY, FORMAT_KEY, FORMAT_NAME, FORMAT_VERSION, FORMAT_VERSION_KEY, LENGTH_PREFIX_BYTES as PREFIX_BYTES } from './format.js';
import type { ParsedHeader } from './header.js';

/** What remains to verify once the header is valid: the digits' place in the file and their value. */
export interface ChecksumPlan {
  /** Absolute offset in the file of the first of the 8 hex digits. */
  digitsOffset: number;
  expected: string;
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
export function planChecksum(path: string, header: ParsedHeader, headerJson: Uint8Array, requireChecksum: boolean): ChecksumPlan | null {
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
function locateDigits(path: string, header: ParsedHeader, headerJson: Uint8Array, value: string): number {
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
