import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  SAFETENSORS_DTYPES,
  readCheckpointFile,
  readCheckpointMetadata,
  writeCheckpointFile,
  type LazyTensorRecord,
  type TensorRecord,
} from '../../../src/checkpoint/file/index.js';
import { CHUNK_BYTES as STAGING_BYTES } from '../../../src/checkpoint/file/buffer-pool.js';
import { SAMPLE_METADATA, bytesOf, elementBytes, readBytes, record, sampleTensors, tempFolders, writtenBytes } from './helpers.js';

const folders = tempFolders();
afterEach(() => folders.cleanup());

const CAIRN_KEYS = ['format', 'format_version', 'checksum'];

function expectSameTensors(actual: Map<string, TensorRecord>, expected: TensorRecord[]): void {
  expect([...actual.keys()].sort()).toEqual(expected.map((t) => t.name).sort());
  for (const t of expected) {
    const got = actual.get(t.name);
    expect(got?.dtype).toBe(t.dtype);
    expect(got?.shape).toEqual(t.shape);
    expect(Buffer.from(got?.data ?? []).equals(Buffer.from(t.data))).toBe(true);
  }
}

describe('checkpoint file round trip', () => {
  it('round-trips every dtype through a file; equal input gives identical bytes', async () => {
    const tensors = SAFETENSORS_DTYPES.map((dtype, i) => record(`t_${dtype}`, dtype, [2, 3], i + 1));
    const path = join(await folders.make(), 'all.ckpt');
    const result = await writeCheckpointFile(path, tensors, SAMPLE_METADATA);
    const onDisk = await readFile(path);
    expect(result).toEqual({ path, bytes: onDisk.length });
    const read = await readCheckpointFile(path);
    expectSameTensors(read.tensors, tensors);
    expect(read.metadata).toEqual({ ...SAMPLE_METADATA, format: 'cairn.ckpt', format_version: '1', checksum: read.metadata.checksum });
    expect(read.metadata.checksum).toMatch(/^crc32:[0-9a-f]{8}$/);
    // The same tensors given in another order make the same file, byte for byte.
    expect(onDisk.equals(Buffer.from(await writtenBytes([...tensors].reverse(), SAMPLE_METADATA)))).toBe(true);
  });

  it('keeps values exact (floats, NaN payloads, 64-bit integers)', async () => {
    const f64 = new Float64Array([Math.PI, -0, Number.MIN_VALUE, Infinity, NaN]);
    const u64 = new BigUint64Array([0n, 2n ** 64n - 1n, 2n ** 53n + 1n]);
    const path = join(await folders.make(), 'exact.ckpt');
    await writeCheckpointFile(path, [
      { name: 'f64', dtype: 'F64', shape: [5], data: bytesOf(f64) },
      { name: 'u64', dtype: 'U64', shape: [3], data: bytesOf(u64) },
    ], {});
    const { tensors } = await readCheckpointFile(path);
    const f = tensors.get('f64');
    const u = tensors.get('u64');
    if (!f || !u) throw new Error('missing tensors');
    // Views of a file written by us are aligned for their dtype: typed arrays need no copy.
    expect(f.data.byteOffset % 8).toBe(0);
    expect(u.data.byteOffset % 8).toBe(0);
    expect(Object.is(new Float64Array(f.data.buffer, f.data.byteOffset, 5)[1], -0)).toBe(true);
    expect([...new Float64Array(f.data.buffer, f.data.byteOffset, 5)]).toEqual([...f64]);
    expect([...new BigUint64Array(u.data.buffer, u.data.byteOffset, 3)]).toEqual([...u64]);
  });

  it('handles empty tensors (a 0 in the shape), 0-d tensors and scalars of every size', async () => {
    const tensors: TensorRecord[] = [
      record('zero-rows', 'F32', [0, 5]),
      record('zero-tail', 'I16', [3, 0]),
      record('scalar-f64', 'F64', []),
      record('scalar-bool', 'BOOL', []),
      record('scalar-bf16', 'BF16', []),
      record('vec', 'U8', [7]),
    ];
    const decoded = await readBytes(await writtenBytes(tensors));
    expectSameTensors(decoded.tensors, tensors);
    expect(decoded.tensors.get('zero-rows')?.data.byteLength).toBe(0);
    expect(decoded.tensors.get('scalar-f64')?.data.byteLength).toBe(8);
  });

  it('writes and reads a checkpoint with no tensors at all', async () => {
    const path = join(await folders.make(), 'nested', 'deeper', 'meta-only.ckpt');
    await writeCheckpointFile(path, [], { only: 'metadata' });
    const read = await readCheckpointFile(path);
    expect(read.tensors.size).toBe(0);
    expect(read.metadata.only).toBe('metadata');
    const bare = await readBytes(await writtenBytes([]));
    expect(Object.keys(bare.metadata).sort()).toEqual([...CAIRN_KEYS].sort());
  });

  it('streams lazy tensors one at a time, in file order, and gives the same bytes as eager ones', async () => {
    const tensors = sampleTensors();
    const calls: string[] = [];
    let live = 0;
    let peak = 0;
    const lazy: LazyTensorRecord[] = tensors.map((t) => ({
      name: t.name,
      dtype: t.dtype,
      shape: t.shape,
      byteLength: t.data.byteLength,
      async read() {
        calls.push(t.name);
        live++;
        peak = Math.max(peak, live);
        await new Promise((resolve) => setTimeout(resolve, 1));
        // The writer asks for the next tensor only after this one was handed over.
        queueMicrotask(() => live--);
        return t.data.slice();
      },
    }));
    const path = join(await folders.make(), 'lazy.ckpt');
    await writeCheckpointFile(path, lazy, SAMPLE_METADATA);
    expect(peak).toBe(1);
    const eager = await writtenBytes(tensors, SAMPLE_METADATA);
    expect(calls).toEqual([...(await readBytes(eager)).tensors.keys()]);
    expect((await readFile(path)).equals(Buffer.from(eager))).toBe(true);
  });

  it('handles many tensors and tensors larger than a staging buffer', async () => {
    const tensors: TensorRecord[] = [];
    for (let i = 0; i < 300; i++) tensors.push(record(`layer_${i}/bias`, 'F32', [i % 7], i));
    tensors.push(record('big', 'F32', [STAGING_BYTES / 4 + 12_345], 99)); // one staging buffer and a bit
    tensors.push(record('medium', 'U8', [900_000], 98));
    const path = join(await folders.make(), 'many.ckpt');
    await writeCheckpointFile(path, tensors, {});
    expectSameTensors((await readCheckpointFile(path)).tensors, tensors);
    // Written through several staging buffers, it matches the same tensors written in another order.
    expect((await readFile(path)).equals(Buffer.from(await writtenBytes([...tensors].reverse())))).toBe(true);
  });

  it('orders metadata: format tag first, caller keys sorted; names with integer-like keys keep layout order', async () => {
    const tensors = [record('10', 'F32', [1]), record('2', 'F32', [1]), record('a', 'F32', [1])];
    const file = await writtenBytes(tensors, { zeta: 'z', alpha: 'a' });
    const text = new TextDecoder().decode(file.subarray(8, 8 + Number(new DataView(file.buffer, file.byteOffset).getBigUint64(0, true))));
    expect(text.startsWith('{"__metadata__":{"format":"cairn.ckpt","format_version":"1","checksum":"crc32:')).toBe(true);
    expect(text.indexOf('"alpha"')).toBeLessThan(text.indexOf('"zeta"'));
    // Layout order is by code point: "10" < "2" < "a", even though JS objects would list "2" first.
    expect(text.indexOf('"10":')).toBeLessThan(text.indexOf('"2":'));
    expect([...(await readBytes(file)).tensors.keys()]).toEqual(['10', '2', 'a']);
  });

  it('readCheckpointMetadata returns the metadata without reading the data', async () => {
    const path = join(await folders.make(), 'm.ckpt');
    await writeCheckpointFile(path, sampleTensors(), SAMPLE_METADATA);
    const metadata = await readCheckpointMetadata(path);
    expect(metadata).toEqual((await readCheckpointFile(path)).metadata);
  });

  it('sizes every tensor as element count x dtype size', async () => {
    for (const dtype of SAFETENSORS_DTYPES) {
      const t = record('x', dtype, [3, 2]);
      expect(t.data.byteLength).toBe(6 * elementBytes(dtype));
      expect((await readBytes(await writtenBytes([t]))).tensors.get('x')?.data.byteLength).toBe(6 * elementBytes(dtype));
    }
  });
});
