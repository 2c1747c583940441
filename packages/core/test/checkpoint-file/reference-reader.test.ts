import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { SAFETENSORS_DTYPES, decodeCheckpoint, encodeCheckpoint } from '../../src/checkpoint/file/index.js';
import { SAMPLE_METADATA, record, sampleTensors } from './helpers.js';

/**
 * A minimal safetensors reader written from the format description alone (DataView + JSON.parse),
 * sharing no code with the implementation: if the writer drifts from the format, this disagrees.
 */
const REFERENCE: Record<string, { size: number; rank: number }> = {
  BOOL: { size: 1, rank: 0 }, U8: { size: 1, rank: 1 }, I8: { size: 1, rank: 2 },
  F8_E5M2: { size: 1, rank: 3 }, F8_E4M3: { size: 1, rank: 4 }, F8_E8M0: { size: 1, rank: 5 },
  I16: { size: 2, rank: 6 }, U16: { size: 2, rank: 7 }, F16: { size: 2, rank: 8 }, BF16: { size: 2, rank: 9 },
  I32: { size: 4, rank: 10 }, U32: { size: 4, rank: 11 }, F32: { size: 4, rank: 12 },
  F64: { size: 8, rank: 13 }, I64: { size: 8, rank: 14 }, U64: { size: 8, rank: 15 },
};

interface RefTensor { name: string; dtype: string; shape: number[]; begin: number; end: number; data: Uint8Array }

function referenceRead(file: Uint8Array): { tensors: RefTensor[]; metadata: Record<string, string>; headerText: string } {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const n = Number(view.getBigUint64(0, true));
  expect(n % 8, 'header padded to a multiple of 8').toBe(0);
  const headerText = new TextDecoder('utf-8', { fatal: true }).decode(file.subarray(8, 8 + n));
  expect(headerText[0]).toBe('{');
  const body = headerText.replace(/ +$/, '');
  expect(body.endsWith('}')).toBe(true);
  const header = JSON.parse(body) as Record<string, unknown>;
  const metadata = (header.__metadata__ ?? {}) as Record<string, string>;
  for (const value of Object.values(metadata)) expect(typeof value).toBe('string');
  const dataStart = 8 + n;
  const tensors: RefTensor[] = Object.entries(header)
    .filter(([name]) => name !== '__metadata__')
    .map(([name, raw]) => {
      const info = raw as { dtype: string; shape: number[]; data_offsets: [number, number] };
      const [begin, end] = info.data_offsets;
      const numel = info.shape.reduce((a, b) => a * b, 1);
      expect(REFERENCE[info.dtype], `dtype ${info.dtype}`).toBeDefined();
      expect(end - begin).toBe(numel * REFERENCE[info.dtype].size);
      return { name, dtype: info.dtype, shape: info.shape, begin, end, data: file.subarray(dataStart + begin, dataStart + end) };
    })
    .sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const t of tensors) {
    expect(t.begin, `${t.name} contiguous`).toBe(expected);
    expected = t.end;
  }
  expect(dataStart + expected, 'data covers the file exactly').toBe(file.length);
  return { tensors, metadata, headerText };
}

/** Code point order (Python `str` / Rust `String` order). */
function byCodePoint(a: string, b: string): number {
  const ca = [...a].map((c) => c.codePointAt(0) ?? 0);
  const cb = [...b].map((c) => c.codePointAt(0) ?? 0);
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) if (ca[i] !== cb[i]) return ca[i] - cb[i];
  return ca.length - cb.length;
}

describe('independent safetensors reader', () => {
  it('reads our files: offsets, dtypes, padding, data', () => {
    const tensors = sampleTensors();
    const file = encodeCheckpoint(tensors, SAMPLE_METADATA);
    const ref = referenceRead(file);
    expect(ref.metadata).toMatchObject({ ...SAMPLE_METADATA, format: 'cairn.ckpt', format_version: '1' });
    for (const t of tensors) {
      const got = ref.tensors.find((r) => r.name === t.name);
      expect(got?.dtype).toBe(t.dtype);
      expect(got?.shape).toEqual(t.shape);
      expect(Buffer.from(got?.data ?? []).equals(Buffer.from(t.data))).toBe(true);
    }
    const kernel = ref.tensors.find((r) => r.name === 'dense/kernel');
    if (!kernel) throw new Error('missing');
    expect([...new Float32Array(kernel.data.slice().buffer)]).toEqual([...new Float32Array([1, 2, 3, -4, 5.5, 6e-8])]);
  });

  it('lays tensors out like the reference writer: descending dtype rank, then name by code point', () => {
    const names = ['b', 'a', 'B', 'é', '\u{1F600}', '\uFF21', 'a.b', 'a0'];
    const tensors = SAFETENSORS_DTYPES.flatMap((dtype, i) => names.map((name, j) => record(`${name}_${dtype}`, dtype, [1 + ((i + j) % 3)], i * 10 + j)));
    const ref = referenceRead(encodeCheckpoint(tensors));
    const expected = [...tensors]
      .sort((x, y) => REFERENCE[y.dtype].rank - REFERENCE[x.dtype].rank || byCodePoint(x.name, y.name))
      .map((t) => t.name);
    expect(ref.tensors.map((t) => t.name)).toEqual(expected);
    // Hence every tensor starts aligned to its own element size.
    for (const t of ref.tensors) expect(t.begin % REFERENCE[t.dtype].size).toBe(0);
    // And JSON member order follows the layout too, after __metadata__.
    const order = ref.tensors.map((t) => ref.headerText.indexOf(JSON.stringify(t.name) + ':{"dtype"'));
    expect(order.every((at, i) => at > ref.headerText.indexOf('"__metadata__"') && (i === 0 || at > order[i - 1]))).toBe(true);
  });

  it('the checksum is the CRC-32 of the whole file with its 8 digits read as "0"', () => {
    const file = encodeCheckpoint(sampleTensors(), SAMPLE_METADATA);
    const text = Buffer.from(file).toString('latin1');
    const token = '"checksum":"crc32:';
    const at = text.indexOf(token);
    expect(at).toBeGreaterThan(0);
    expect(text.indexOf(token, at + 1)).toBe(-1);
    const digitsAt = at + token.length;
    const digits = text.slice(digitsAt, digitsAt + 8);
    const zeroed = Buffer.from(file);
    zeroed.write('00000000', digitsAt, 'latin1');
    expect(crc32(zeroed).toString(16).padStart(8, '0')).toBe(digits);
  });

  it('reads files made by hand the way other tools write them (with requireChecksum: false)', () => {
    // What the reference writer produces for {"attn.0": F32 [1,2,3]} with no metadata.
    const json = '{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}';
    const data = new Uint8Array(new Float32Array([0, 1, 2, 3, 4, 5]).buffer);
    const header = new TextEncoder().encode(json.padEnd(Math.ceil(json.length / 8) * 8, ' '));
    const file = new Uint8Array(8 + header.length + data.length);
    new DataView(file.buffer).setBigUint64(0, BigInt(header.length), true);
    file.set(header, 8);
    file.set(data, 8 + header.length);
    const decoded = decodeCheckpoint(file, { requireChecksum: false });
    expect(decoded.metadata).toEqual({});
    expect(Buffer.from(decoded.tensors.get('attn.0')?.data ?? []).equals(Buffer.from(data))).toBe(true);
    expect(() => decodeCheckpoint(file)).toThrow(/requireChecksum/);
  });
});
