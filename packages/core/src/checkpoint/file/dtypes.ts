/**
 * Safetensors element types. The byte size drives offsets; the rank reproduces the reference
 * writer's layout order, which sorts by its `Dtype` enum (declared in increasing alignment) in
 * DESCENDING order, then by name. Two dtypes of equal size are therefore ordered by the enum
 * position, not alphabetically (U64 before I64 before F64), and we copy that so our files are
 * byte-identical in layout to what `safetensors.serialize` produces for the same tensors.
 */
export type SafetensorsDtype =
  | 'F64' | 'F32' | 'F16' | 'BF16'
  | 'I64' | 'I32' | 'I16' | 'I8'
  | 'U64' | 'U32' | 'U16' | 'U8'
  | 'BOOL'
  | 'F8_E5M2' | 'F8_E4M3' | 'F8_E8M0';

interface DtypeInfo {
  readonly size: number;
  /** Position in the reference `Dtype` enum (ascending); only relative order matters. */
  readonly rank: number;
}

const DTYPES: Readonly<Record<SafetensorsDtype, DtypeInfo>> = {
  BOOL: { size: 1, rank: 0 },
  U8: { size: 1, rank: 1 },
  I8: { size: 1, rank: 2 },
  F8_E5M2: { size: 1, rank: 3 },
  F8_E4M3: { size: 1, rank: 4 },
  F8_E8M0: { size: 1, rank: 5 },
  I16: { size: 2, rank: 6 },
  U16: { size: 2, rank: 7 },
  F16: { size: 2, rank: 8 },
  BF16: { size: 2, rank: 9 },
  I32: { size: 4, rank: 10 },
  U32: { size: 4, rank: 11 },
  F32: { size: 4, rank: 12 },
  F64: { size: 8, rank: 13 },
  I64: { size: 8, rank: 14 },
  U64: { size: 8, rank: 15 },
};

export const SAFETENSORS_DTYPES: readonly SafetensorsDtype[] = Object.keys(DTYPES) as SafetensorsDtype[];

export function isSafetensorsDtype(value: unknown): value is SafetensorsDtype {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(DTYPES, value);
}

/** Bytes per element. */
export function dtypeSize(dtype: SafetensorsDtype): number {
  return DTYPES[dtype].size;
}

/**
 * Element count of a shape, or undefined when a dimension is not a non-negative safe integer or
 * the product leaves the safe-integer range (a forged shape must not wrap around to a small size).
 */
export function elementCount(shape: readonly unknown[]): number | undefined {
  let count = 1;
  for (const dim of shape) {
    if (typeof dim !== 'number' || !Number.isSafeInteger(dim) || dim < 0) return undefined;
    count *= dim;
    if (!Number.isSafeInteger(count)) return undefined;
  }
  return count;
}

/** Byte length of a tensor, or undefined when the shape is invalid or the size overflows. */
export function tensorByteLength(dtype: SafetensorsDtype, shape: readonly unknown[]): number | undefined {
  const count = elementCount(shape);
  if (count === undefined) return undefined;
  const bytes = count * dtypeSize(dtype);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/**
 * Compares strings by Unicode code point, which is the order of their UTF-8 bytes: Rust's
 * `String::cmp` and Python's `str` comparison. JavaScript's `<` compares UTF-16 units, which
 * differs once characters above U+FFFF meet characters in U+E000..U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca !== cb) return utf16ToCodePointOrder(ca) - utf16ToCodePointOrder(cb);
  }
  return a.length - b.length;
}

// Surrogates (D800..DFFF) encode code points above FFFF, so they must sort after E000..FFFF.
function utf16ToCodePointOrder(unit: number): number {
  if (unit >= 0xe000) return unit - 0x800;
  if (unit >= 0xd800) return unit + 0x2000;
  return unit;
}

/** The reference writer's layout order: descending dtype rank, then name by code point. */
export function compareForLayout(a: { name: string; dtype: SafetensorsDtype }, b: { name: string; dtype: SafetensorsDtype }): number {
  const byDtype = DTYPES[b.dtype].rank - DTYPES[a.dtype].rank;
  return byDtype !== 0 ? byDtype : compareCodePoints(a.name, b.name);
}
