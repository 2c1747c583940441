/**
 * Byte strings that the safetensors project's own tests assert, copied as facts (no code) from
 * github.com/huggingface/safetensors at commit 24b0b2857fef49be734b9ab72ce97c09bb25f5b9:
 * `safetensors/src/tensor.rs` (Rust `mod tests`) and `bindings/python/tests/test_simple.py`,
 * `test_pt_comparison.py`. Each names the upstream test it comes from. They are the ground
 * truth for the file layout: nothing here is derived from Cairn's dtype table.
 */

export interface UpstreamTensor {
  name: string;
  dtype: string;
  shape: number[];
  /** Raw little-endian bytes. */
  data: Uint8Array;
}

/** Bytes upstream's writer produces for `tensors` (+ `metadata`) and that its readers accept. */
export interface WrittenVector {
  source: string;
  tensors: UpstreamTensor[];
  metadata?: Record<string, string>;
  bytes: Uint8Array;
}

/** Bytes upstream's reader accepts or refuses (hand-made in its tests, not writer output). */
export interface ReadVector {
  source: string;
  bytes: Uint8Array;
}

/** A Python-style byte literal: `\xNN` escapes, everything else as Latin-1 characters. */
function pyBytes(...parts: string[]): Uint8Array {
  const text = parts.join('').replace(/\\x([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

const zeros = (n: number): Uint8Array => new Uint8Array(n);
const f32 = (...values: number[]): Uint8Array => new Uint8Array(new Float32Array(values).buffer);

export const WRITTEN: readonly WrittenVector[] = [
  {
    source: 'tensor.rs test_serialization',
    tensors: [{ name: 'attn.0', dtype: 'F32', shape: [1, 2, 3], data: f32(0, 1, 2, 3, 4, 5) }],
    bytes: Uint8Array.from([
      64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100,
      116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34,
      58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115,
      101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63,
      0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
    ]),
  },
  {
    source: 'tensor.rs test_serialization_forced_alignement',
    tensors: [{ name: 'attn0', dtype: 'F32', shape: [1, 1, 2, 3], data: f32(0, 1, 2, 3, 4, 5) }],
    bytes: Uint8Array.from([
      72, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 48, 34, 58, 123, 34, 100, 116,
      121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34, 58,
      91, 49, 44, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102,
      115, 101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 32, 32, 32, 32, 32,
      32, 32, 0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0,
      160, 64,
    ]),
  },
  {
    source: 'tensor.rs test_empty (no metadata)',
    tensors: [],
    bytes: Uint8Array.from([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]),
  },
  {
    source: 'tensor.rs test_empty (framework metadata)',
    tensors: [],
    metadata: { framework: 'pt' },
    bytes: Uint8Array.from([
      40, 0, 0, 0, 0, 0, 0, 0, 123, 34, 95, 95, 109, 101, 116, 97, 100, 97, 116, 97, 95,
      95, 34, 58, 123, 34, 102, 114, 97, 109, 101, 119, 111, 114, 107, 34, 58, 34, 112,
      116, 34, 125, 125, 32, 32, 32, 32, 32,
    ]),
  },
  {
    source: 'test_simple.py test_serialization (data[1, 1] = 1)',
    tensors: [{ name: 'test', dtype: 'I32', shape: [2, 2], data: Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0]) }],
    bytes: pyBytes(
      '@\\x00\\x00\\x00\\x00\\x00\\x00\\x00{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}   ',
      ' \\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x01\\x00\\x00\\x00',
    ),
  },
  {
    source: 'test_simple.py test_serialization_forces_alignment (I32 before F16)',
    tensors: [
      { name: 'test2', dtype: 'F16', shape: [2, 2], data: zeros(8) },
      { name: 'test1', dtype: 'I32', shape: [2, 2], data: zeros(16) },
    ],
    bytes: pyBytes(
      '\\x80\\x00\\x00\\x00\\x00\\x00\\x00\\x00{"test1":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]},"test2":{"dtype":"F16","shape":[2,2],"data_offsets":[16,24]}}',
      '      \\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00',
    ),
  },
  {
    source: 'test_simple.py test_serialization_metadata',
    tensors: [{ name: 'test1', dtype: 'I32', shape: [2, 2], data: zeros(16) }],
    metadata: { framework: 'pt' },
    bytes: pyBytes(
      '`\\x00\\x00\\x00\\x00\\x00\\x00\\x00{"__metadata__":{"framework":"pt"},"test1":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}',
      ' \\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00',
    ),
  },
  {
    source: 'test_pt_comparison.py test_serialization (bfloat16, [0, 0] = 2.25)',
    tensors: [{ name: 'test', dtype: 'BF16', shape: [2, 2], data: Uint8Array.from([0x10, 0x40, 0x80, 0x3f, 0x80, 0x3f, 0x80, 0x3f]) }],
    bytes: pyBytes('@\\x00\\x00\\x00\\x00\\x00\\x00\\x00{"test":{"dtype":"BF16","shape":[2,2],"data_offsets":[0,8]}}    \\x10@\\x80?\\x80?\\x80?'),
  },
  {
    source: 'tensor.rs test_empty_shapes_allowed (a 0-d tensor; 56-byte header needs no padding)',
    tensors: [{ name: 'test', dtype: 'I32', shape: [], data: zeros(4) }],
    bytes: pyBytes('8\\x00\\x00\\x00\\x00\\x00\\x00\\x00{"test":{"dtype":"I32","shape":[],"data_offsets":[0,4]}}\\x00\\x00\\x00\\x00'),
  },
];

const I32_2X2 = '{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}';
const SIXTEEN_ZEROS = '\\x00'.repeat(16);

/**
 * Hand-made files that upstream's reader accepts although no writer pads this way: the header
 * length is not a multiple of 8, or the padding is whitespace other than spaces. Cairn's format
 * (docs/checkpoint-format.md, "Header length" and "Header") requires 8-byte alignment and space
 * padding, so Cairn refuses these; the test pins that deliberate difference.
 */
export const UNALIGNED_ACCEPTED_UPSTREAM: readonly (ReadVector & { check: string })[] = [
  { source: 'tensor.rs test_deserialization (60-byte header)', check: 'header-length', bytes: pyBytes('<\\x00\\x00\\x00\\x00\\x00\\x00\\x00', I32_2X2, SIXTEEN_ZEROS) },
  { source: 'tensor.rs test_zero_sized_tensor', check: 'header-length', bytes: pyBytes('<\\x00\\x00\\x00\\x00\\x00\\x00\\x00{"test":{"dtype":"I32","shape":[2,0],"data_offsets":[0, 0]}}') },
  { source: 'tensor.rs test_whitespace_padded_header', check: 'header-length', bytes: pyBytes('\\x06\\x00\\x00\\x00\\x00\\x00\\x00\\x00{}\\x0D\\x20\\x09\\x0A') },
];

/**
 * Files upstream's reader refuses, with the Cairn check that must refuse them. The test pads an
 * unaligned header with spaces first, so that the check each vector is about is the one that runs.
 */
export const REFUSED_UPSTREAM: readonly (ReadVector & { check: string })[] = [
  { source: 'tensor.rs test_metadata_incomplete_buffer (trailing bytes)', check: 'coverage', bytes: pyBytes('<\\x00\\x00\\x00\\x00\\x00\\x00\\x00', I32_2X2, SIXTEEN_ZEROS, 'extra_bogus_data_for_polyglot_file') },
  { source: 'tensor.rs test_metadata_incomplete_buffer (2 bytes missing)', check: 'truncated', bytes: pyBytes('<\\x00\\x00\\x00\\x00\\x00\\x00\\x00', I32_2X2, '\\x00'.repeat(14)) },
  { source: 'tensor.rs test_header_too_large', check: 'header-length', bytes: pyBytes('<\\x00\\x00\\x00\\x00\\xff\\xff\\xff', I32_2X2, SIXTEEN_ZEROS) },
  { source: 'tensor.rs test_header_too_small', check: 'truncated', bytes: new Uint8Array(0) },
  { source: 'tensor.rs test_invalid_header_length', check: 'header-length', bytes: pyBytes('<\\x00\\x00\\x00\\x00\\x00\\x00\\x00') },
  { source: 'tensor.rs test_invalid_header_non_utf8', check: 'header-json', bytes: pyBytes('\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\xff') },
  { source: 'tensor.rs test_invalid_info', check: 'offsets', bytes: pyBytes('<\\x00\\x00\\x00\\x00\\x00\\x00\\x00{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0, 4]}}') },
  { source: 'tensor.rs test_validation_overflow (shape product)', check: 'shape', bytes: pyBytes('O\\x00\\x00\\x00\\x00\\x00\\x00\\x00{"test":{"dtype":"I32","shape":[2,18446744073709551614],"data_offsets":[0,16]}}', SIXTEEN_ZEROS) },
];

/**
 * Upstream's `Dtype` enum in declaration order (tensor.rs: "They MUST be in increasing alignment
 * order"); its writer lays tensors out by this order DESCENDING, then by name. It lists dtypes
 * Cairn does not support (F4, F6_*, FNUZ, C64): only the relative order of the others matters.
 */
export const UPSTREAM_DTYPE_DECLARATION_ORDER: readonly string[] = [
  'BOOL', 'F4', 'F6_E2M3', 'F6_E3M2', 'U8', 'I8', 'F8_E5M2', 'F8_E4M3', 'F8_E8M0', 'F8_E4M3FNUZ', 'F8_E5M2FNUZ',
  'I16', 'U16', 'F16', 'BF16', 'I32', 'U32', 'F32', 'C64', 'F64', 'I64', 'U64',
];
