import { CHECKSUM_TOKEN, findChecksumTokens } from './checksum.js';
import { isSafetensorsDtype, tensorByteLength, type SafetensorsDtype } from './dtypes.js';
import { CheckpointError } from './errors.js';
import { HEADER_ALIGNMENT, LENGTH_PREFIX_BYTES as PREFIX_BYTES, MAX_HEADER_LENGTH, METADATA_KEY } from './format.js';
import { scanHeader } from './json-scan.js';
import type { TensorRecord } from './types.js';

/** A tensor as the header describes it; offsets relative to the start of the data section. */
export interface HeaderEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
}

export interface ParsedHeader {
  metadata: Record<string, string>;
  /** Sorted by offset: the order of the bytes in the data section. */
  entries: HeaderEntry[];
  /** Offset (within the header JSON) of the opening quote of each `__metadata__` string value. */
  metadataValueOffsets: Map<string, number>;
}

const SPACE = 0x20;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const ENTRY_FIELDS = ['dtype', 'shape', 'data_offsets'] as const;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

/**
 * The 8-byte length prefix plus the padded header JSON, and where the checksum digits sit in the
 * file. The JSON is written by hand (not JSON.stringify of an object) because the member order is
 * part of the format: `__metadata__` first, then tensors in layout order. JS objects would move
 * integer-like keys ("0", "1") to the front.
 */
export function buildPreamble(path: string, entries: readonly HeaderEntry[], metadata: readonly [string, string][]): { bytes: Uint8Array; digitsOffset: number } {
  const parts: string[] = [];
  const members = metadata.map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`);
  parts.push(`${JSON.stringify(METADATA_KEY)}:{${members.join(',')}}`);
  for (const entry of entries) {
    parts.push(
      `${JSON.stringify(entry.name)}:{"dtype":${JSON.stringify(entry.dtype)},"shape":[${entry.shape.join(',')}],"data_offsets":[${entry.begin},${entry.end}]}`,
    );
  }
  const json = encoder.encode(`{${parts.join(',')}}`);
  const length = Math.ceil(json.length / HEADER_ALIGNMENT) * HEADER_ALIGNMENT;
  if (length > MAX_HEADER_LENGTH) {
    throw new CheckpointError(path, 'input', `header would be ${length} bytes, over the ${MAX_HEADER_LENGTH}-byte limit of safetensors readers`);
  }
  const bytes = new Uint8Array(PREFIX_BYTES + length).fill(SPACE, PREFIX_BYTES + json.length);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(length), true);
  bytes.set(json, PREFIX_BYTES);
  const tokens = findChecksumTokens(json);
  if (tokens.length !== 1) {
    // Only a metadata key ending in `"checksum` whose value starts with `crc32:` can forge a second token.
    throw new CheckpointError(path, 'input', `the header would hold the checksum marker ${tokens.length} times; rename the metadata key that ends in "checksum`);
  }
  return { bytes, digitsOffset: PREFIX_BYTES + tokens[0] + CHECKSUM_TOKEN.length };
}

/**
 * Reads and bounds-checks the header length from the first 8 bytes, BEFORE anything is allocated
 * for the header. BigInt keeps values up to 2^64-1 exact; a Number would round them.
 */
export function checkHeaderLength(path: string, prefix: Uint8Array, fileSize: number): number {
  if (fileSize < PREFIX_BYTES || prefix.length < PREFIX_BYTES) {
    throw new CheckpointError(path, 'truncated', `file is ${fileSize} bytes, shorter than the 8-byte header length`);
  }
  const raw = new DataView(prefix.buffer, prefix.byteOffset, PREFIX_BYTES).getBigUint64(0, true);
  if (raw > BigInt(MAX_HEADER_LENGTH)) {
    throw new CheckpointError(path, 'header-length', `header length ${raw} exceeds the ${MAX_HEADER_LENGTH}-byte limit`);
  }
  const length = Number(raw);
  if (length > fileSize - PREFIX_BYTES) {
    throw new CheckpointError(path, 'header-length', `header length ${length} exceeds the ${fileSize - PREFIX_BYTES} bytes after the length prefix`);
  }
  if (length === 0 || length % HEADER_ALIGNMENT !== 0) {
    throw new CheckpointError(path, 'header-length', `header length ${length} is not a positive multiple of ${HEADER_ALIGNMENT}`);
  }
  return length;
}

/** Records for the header's tensors, as views into `file` (whose data section starts at `dataStart`): nothing is copied. */
export function tensorViews(entries: readonly HeaderEntry[], file: Uint8Array, dataStart: number): Map<string, TensorRecord> {
  const tensors = new Map<string, TensorRecord>();
  for (const { name, dtype, shape, begin, end } of entries) {
    tensors.set(name, { name, dtype, shape, data: file.subarray(dataStart + begin, dataStart + end) });
  }
  return tensors;
}

/**
 * Validates the header JSON (padding included) against a data section of `dataSize` bytes.
 * Nothing in the result is trusted until this returns.
 */
export function parseHeader(path: string, json: Uint8Array, dataSize: number): ParsedHeader {
  let text: string;
  let parsed: unknown;
  try {
    text = utf8.decode(json);
  } catch {
    throw new CheckpointError(path, 'header-json', 'header is not valid UTF-8');
  }
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CheckpointError(path, 'header-json', `header is not valid JSON (${(error as Error).message})`);
  }
  if (!isPlainObject(parsed)) {
    throw new CheckpointError(path, 'header-object', `header is ${describe(parsed)}, not a JSON object`);
  }
  if (json[0] !== OPEN_OBJECT) {
    throw new CheckpointError(path, 'header-object', `header starts with byte 0x${json[0].toString(16)}, not '{'`);
  }
  let last = json.length - 1;
  while (last > 0 && json[last] === SPACE) last--;
  if (json[last] !== CLOSE_OBJECT) {
    throw new CheckpointError(path, 'padding', `header is followed by byte 0x${json[last].toString(16)}; only spaces may pad it`);
  }

  const scan = scanHeader(json, METADATA_KEY);
  if (scan.duplicate) {
    const where = scan.duplicate.parent === '' ? 'the header' : `'${scan.duplicate.parent}'`;
    throw new CheckpointError(path, 'duplicate', `key '${scan.duplicate.key}' occurs twice in ${where}`);
  }

  const metadata = parseMetadata(path, parsed[METADATA_KEY]);
  const entries: HeaderEntry[] = [];
  for (const name of Object.keys(parsed)) {
    if (name !== METADATA_KEY) entries.push(parseEntry(path, name, parsed[name]));
  }
  checkCoverage(path, entries, dataSize);
  return { metadata, entries, metadataValueOffsets: scan.metadataValueOffsets };
}

function parseMetadata(path: string, value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) throw new CheckpointError(path, 'metadata', `${METADATA_KEY} is ${describe(value)}, not an object`);
  for (const key of Object.keys(value)) {
    if (typeof value[key] !== 'string') {
      throw new CheckpointError(path, 'metadata', `${METADATA_KEY} value '${key}' is ${describe(value[key])}; only strings are allowed`);
    }
  }
  return value as Record<string, string>;
}

function parseEntry(path: string, name: string, value: unknown): HeaderEntry {
  if (!isPlainObject(value)) throw new CheckpointError(path, 'entry', `tensor '${name}' is ${describe(value)}, not an object`);
  const keys = Object.keys(value);
  const missing = ENTRY_FIELDS.filter((field) => !Object.hasOwn(value, field));
  const extra = keys.filter((key) => !(ENTRY_FIELDS as readonly string[]).includes(key));
  if (missing.length > 0 || extra.length > 0) {
    throw new CheckpointError(path, 'entry', `tensor '${name}' must have exactly dtype, shape, data_offsets (missing: [${missing.join(', ')}], unknown: [${extra.join(', ')}])`);
  }
  const { dtype, shape, data_offsets: offsets } = value;
  if (!isSafetensorsDtype(dtype)) throw new CheckpointError(path, 'dtype', `tensor '${name}' has unknown dtype ${JSON.stringify(dtype)}`);
  if (!Array.isArray(shape)) throw new CheckpointError(path, 'shape', `tensor '${name}' shape is ${describe(shape)}, not an array`);
  const bytes = tensorByteLength(dtype, shape);
  if (bytes === undefined) {
    throw new CheckpointError(path, 'shape', `tensor '${name}' shape ${JSON.stringify(shape)} must hold non-negative integers whose product fits a safe integer`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isOffset)) {
    throw new CheckpointError(path, 'offsets', `tensor '${name}' data_offsets ${JSON.stringify(offsets)} must be two non-negative safe integers`);
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin || end - begin !== bytes) {
    throw new CheckpointError(path, 'offsets', `tensor '${name}' data_offsets [${begin}, ${end}] do not span the ${bytes} bytes of ${dtype} ${JSON.stringify(shape)}`);
  }
  return { name, dtype, shape: shape as number[], begin, end };
}

/** The data section must be tiled exactly: sorted by offset, each tensor starts where the previous ended. */
function checkCoverage(path: string, entries: HeaderEntry[], dataSize: number): void {
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const entry of entries) {
    if (entry.begin !== expected) {
      const what = entry.begin < expected ? 'overlaps the previous tensor' : `leaves a hole of ${entry.begin - expected} bytes before it`;
      throw new CheckpointError(path, 'offsets', `tensor '${entry.name}' at [${entry.begin}, ${entry.end}] ${what}`);
    }
    expected = entry.end;
  }
  if (expected > dataSize) {
    throw new CheckpointError(path, 'truncated', `tensors need ${expected} data bytes but the file holds ${dataSize}`);
  }
  if (expected < dataSize) {
    throw new CheckpointError(path, 'coverage', `the file holds ${dataSize - expected} data bytes that no tensor covers`);
  }
}

function isOffset(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
