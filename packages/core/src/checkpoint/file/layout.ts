import { CHECKSUM_PLACEHOLDER } from './checksum.js';
import { compareCodePoints, compareForLayout, isSafetensorsDtype, tensorByteLength, type SafetensorsDtype } from './dtypes.js';
import { CheckpointError } from './errors.js';
import { CHECKSUM_KEY, FORMAT_KEY, FORMAT_NAME, FORMAT_VERSION, FORMAT_VERSION_KEY, METADATA_KEY, RESERVED_METADATA_KEYS } from './format.js';
import { isBorrowedRecord, isLazyRecord, type TensorSource } from './types.js';

/** Where one tensor goes in a file being written. */
export interface LayoutEntry<T> {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
  source: T;
}

export interface Layout<T> {
  entries: LayoutEntry<T>[];
  dataSize: number;
}

// A lone surrogate survives JSON.stringify as a \udXXX escape that Rust's serde_json refuses, so a
// file holding one would not open in the reference tools: refuse it when writing.
const LONE_SURROGATE = /\p{Surrogate}/u;

/**
 * Validates the tensors to write and assigns offsets in the reference writer's order. Everything
 * that can be checked before the first byte is written is checked here, so a bad input never
 * costs a temp file.
 */
export function planLayout<T extends TensorSource>(path: string, sources: readonly T[]): Layout<T> {
  const names = new Set<string>();
  const planned: Omit<LayoutEntry<T>, 'begin' | 'end'>[] = [];
  const lengths = new Map<string, number>();
  for (const source of sources) {
    const { name, dtype, shape } = source;
    if (typeof name !== 'string') throw new CheckpointError(path, 'input', 'a tensor name is not a string');
    if (name === METADATA_KEY) throw new CheckpointError(path, 'input', `'${METADATA_KEY}' is reserved and cannot name a tensor`);
    if (LONE_SURROGATE.test(name)) throw new CheckpointError(path, 'input', `tensor name ${JSON.stringify(name)} holds a lone surrogate`);
    if (names.has(name)) throw new CheckpointError(path, 'input', `tensor name '${name}' is given twice`);
    names.add(name);
    if (!isSafetensorsDtype(dtype)) throw new CheckpointError(path, 'input', `tensor '${name}' has unknown dtype ${String(dtype)}`);
    if (!Array.isArray(shape)) throw new CheckpointError(path, 'input', `tensor '${name}' has no shape array`);
    const expected = tensorByteLength(dtype, shape);
    if (expected === undefined) throw new CheckpointError(path, 'input', `tensor '${name}' has an invalid shape [${shape.join(', ')}]`);
    // Raw bytes only: a Float32Array copied with set() into a byte buffer would be converted value by value.
    const eager = !isLazyRecord(source) && !isBorrowedRecord(source);
    if (eager && !(source.data instanceof Uint8Array)) {
      throw new CheckpointError(path, 'input', `tensor '${name}' data must be a Uint8Array of raw bytes`);
    }
    const given = eager ? source.data.byteLength : source.byteLength;
    if (given !== expected) {
      throw new CheckpointError(path, 'input', `tensor '${name}' (${dtype} [${shape.join(', ')}]) needs ${expected} bytes, got ${String(given)}`);
    }
    lengths.set(name, expected);
    planned.push({ name, dtype, shape: [...shape], source });
  }
  planned.sort(compareForLayout);
  let offset = 0;
  const entries = planned.map((entry) => {
    const begin = offset;
    offset += lengths.get(entry.name) ?? 0;
    return { ...entry, begin, end: offset };
  });
  return { entries, dataSize: offset };
}

/**
 * The `__metadata__` members in the order they are written: the format tag, its version and the
 * checksum placeholder first (so `head -c 100 file.ckpt` identifies it), then the caller's keys
 * sorted by code point so that equal states give byte-identical files.
 */
export function planMetadata(path: string, metadata: Readonly<Record<string, string>>): [string, string][] {
  const user = Object.keys(metadata);
  for (const key of user) {
    const value: unknown = metadata[key];
    if (RESERVED_METADATA_KEYS.has(key)) throw new CheckpointError(path, 'input', `metadata key '${key}' is reserved for the file layer`);
    if (typeof value !== 'string') throw new CheckpointError(path, 'input', `metadata '${key}' is a ${typeof value}, not a string`);
    if (LONE_SURROGATE.test(key) || LONE_SURROGATE.test(value)) {
      throw new CheckpointError(path, 'input', `metadata '${key}' holds a lone surrogate`);
    }
  }
  user.sort(compareCodePoints);
  return [
    [FORMAT_KEY, FORMAT_NAME],
    [FORMAT_VERSION_KEY, FORMAT_VERSION],
    [CHECKSUM_KEY, CHECKSUM_PLACEHOLDER],
    ...user.map((key): [string, string] => [key, metadata[key]]),
  ];
}
