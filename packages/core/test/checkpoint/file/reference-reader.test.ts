import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { SAFETENSORS_DTYPES, type SafetensorsDtype, type TensorRecord } from '../../../src/checkpoint/file/index.js';
import { SAMPLE_METADATA, elementBytes, expectCheck, readBytes, record, sampleTensors, writtenBytes } from './helpers.js';
import { REFUSED_UPSTREAM, UNALIGNED_ACCEPTED_UPSTREAM, UPSTREAM_DTYPE_DECLARATION_ORDER, WRITTEN } from './upstream-vectors.js';

/**
 * A minimal safetensors reader written from the format description alone (DataView + JSON.parse),
 * sharing no code or table with the implementation: element sizes come from the dtype names and
 * the layout order from upstream's declaration order, so a wrong entry in dtypes.ts disagrees.
 */
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
      expect(UPSTREAM_DTYPE_DECLARATION_ORDER, `dtype ${info.dtype}`).toContain(info.dtype);
      expect(end - begin).toBe(numel * elementBytes(info.dtype));
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

/**
 * A Cairn file minus what Cairn adds to every file (the format tag, its version and the checksum
 * in `__metadata__`, and `__metadata__` itself when nothing else is in it), re-padded: what a
 * plain safetensors writer would have produced for the same tensors and metadata.
 */
function withoutCairnMembers(file: Uint8Array): Uint8Array {
  const n = Number(new DataView(file.buffer, file.byteOffset).getBigUint64(0, true));
  const header = Buffer.from(file.subarray(8, 8 + n)).toString('utf8').trimEnd();
  const own = /^\{"__metadata__":\{"format":"cairn\.ckpt","format_version":"1","checksum":"crc32:[0-9a-f]{8}",?/;
  expect(header).toMatch(own);
  const json = Buffer.from(header.replace(own, '{"__metadata__":{').replace(/^\{"__metadata__":\{\},?/, '{'));
  const padded = Math.ceil(json.length / 8) * 8;
  const out = Buffer.alloc(8 + padded, 0x20);
  out.writeBigUInt64LE(BigInt(padded), 0);
  json.copy(out, 8);
  return Buffer.concat([out, file.subarray(8 + n)]);
}

/** Pads an unaligned upstream header with spaces to the next multiple of 8, so Cairn's alignment check passes and the check the vector is about runs. */
function aligned(file: Uint8Array): Uint8Array {
  if (file.length < 8) return file;
  const n = Number(new DataView(file.buffer, file.byteOffset).getBigUint64(0, true));
  if (n % 8 === 0 || 8 + n > file.length) return file;
  const padded = Math.ceil(n / 8) * 8;
  const out = Buffer.alloc(file.length + padded - n, 0x20);
  out.writeBigUInt64LE(BigInt(padded), 0);
  out.set(file.subarray(8, 8 + n), 8);
  out.set(file.subarray(8 + n), 8 + padded);
  return out;
}

const asRecords = (tensors: (typeof WRITTEN)[number]['tensors']): TensorRecord[] => tensors.map((t) => ({ ...t, dtype: t.dtype as SafetensorsDtype }));

describe('the bytes upstream safetensors asserts in its own tests', () => {
  it.each(WRITTEN.map((v) => [v.source, v] as const))('Cairn reads %s', async (_, vector) => {
    const read = await readBytes(vector.bytes, { requireChecksum: false });
    expect(read.metadata).toEqual(vector.metadata ?? {});
    expect([...read.tensors.keys()].sort()).toEqual(vector.tensors.map((t) => t.name).sort());
    for (const t of vector.tensors) {
      const got = read.tensors.get(t.name);
      expect(got?.dtype).toBe(t.dtype);
      expect(got?.shape).toEqual(t.shape);
      expect(Buffer.from(got?.data ?? []).equals(Buffer.from(t.data)), t.name).toBe(true);
    }
  });

  it.each(WRITTEN.map((v) => [v.source, v] as const))('Cairn writes %s byte for byte, apart from its own metadata', async (_, vector) => {
    const file = await writtenBytes(asRecords(vector.tensors), vector.metadata);
    expect(Buffer.from(withoutCairnMembers(file)).toString('latin1')).toBe(Buffer.from(vector.bytes).toString('latin1'));
  });

  it.each(REFUSED_UPSTREAM.map((v) => [v.source, v] as const))('Cairn refuses %s, as upstream does', async (_, vector) => {
    await expectCheck(() => readBytes(aligned(vector.bytes), { requireChecksum: false }), vector.check);
  });

  it.each(UNALIGNED_ACCEPTED_UPSTREAM.map((v) => [v.source, v] as const))('Cairn refuses %s, which upstream reads: its format requires 8-byte, space-padded headers', async (_, vector) => {
    await expectCheck(() => readBytes(vector.bytes, { requireChecksum: false }), vector.check);
  });
});

describe('independent safetensors reader', () => {
  it('reads our files: offsets, dtypes, padding, data', async () => {
    const tensors = sampleTensors();
    const ref = referenceRead(await writtenBytes(tensors, SAMPLE_METADATA));
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

  it("lays tensors out like the reference writer: upstream's dtype order descending, then name by code point", async () => {
    const names = ['b', 'a', 'B', 'é', '\u{1F600}', '\uFF21', 'a.b', 'a0'];
    const tensors = SAFETENSORS_DTYPES.flatMap((dtype, i) => names.map((name, j) => record(`${name}_${dtype}`, dtype, [1 + ((i + j) % 3)], i * 10 + j)));
    const ref = referenceRead(await writtenBytes(tensors));
    const rank = (dtype: string): number => UPSTREAM_DTYPE_DECLARATION_ORDER.indexOf(dtype);
    const expected = [...tensors].sort((x, y) => rank(y.dtype) - rank(x.dtype) || byCodePoint(x.name, y.name)).map((t) => t.name);
    expect(ref.tensors.map((t) => t.name)).toEqual(expected);
    // Hence every tensor starts aligned to its own element size.
    for (const t of ref.tensors) expect(t.begin % elementBytes(t.dtype)).toBe(0);
    // And JSON member order follows the layout too, after __metadata__.
    const order = ref.tensors.map((t) => ref.headerText.indexOf(JSON.stringify(t.name) + ':{"dtype"'));
    expect(order.every((at, i) => at > ref.headerText.indexOf('"__metadata__"') && (i === 0 || at > order[i - 1]))).toBe(true);
  });

  it('the checksum is the CRC-32 of the whole file with its 8 digits read as "0"', async () => {
    const file = await writtenBytes(sampleTensors(), SAMPLE_METADATA);
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

  it('a plain safetensors file is refused unless requireChecksum is false', async () => {
    await expect(readBytes(WRITTEN[0]!.bytes)).rejects.toThrow(/requireChecksum/);
  });
});
