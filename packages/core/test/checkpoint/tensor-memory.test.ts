import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { selectBackend, type Accelerator } from '../../src/backend/select-backend.js';
import { fromRecord, toWriterRecord } from '../../src/checkpoint/tensor-memory.js';
import { isBorrowedRecord, type BorrowedTensorRecord, type SafetensorsDtype, type TensorRecord } from '../../src/checkpoint/file/index.js';

/** On cpu and wasm the record must lend the backend's bytes, not download a copy. */
function lent(name: string, tensor: tf.Tensor): BorrowedTensorRecord {
  const record = toWriterRecord(name, tensor);
  if (!isBorrowedRecord(record)) throw new Error(`expected a borrowed record on ${tf.getBackend()}`);
  return record;
}

/** `bytes` placed at `offset` inside a larger buffer, as a tensor's data sits inside a read file. */
function at(offset: number, bytes: Uint8Array): { buffer: Uint8Array; data: Uint8Array } {
  const buffer = new Uint8Array(offset + bytes.byteLength + 3).fill(0xa5);
  buffer.set(bytes, offset);
  return { buffer, data: buffer.subarray(offset, offset + bytes.byteLength) };
}

const cases: [SafetensorsDtype, Uint8Array, (t: tf.Tensor) => Uint8Array][] = [
  ['F32', new Uint8Array(new Float32Array([1.5, -0, Number.NaN, 3e-39, -7.25, 1e30]).buffer), (t) => new Uint8Array((t.dataSync() as Float32Array).slice().buffer)],
  ['I32', new Uint8Array(new Int32Array([1, -2, 2147483647, -2147483648, 0, 7]).buffer), (t) => new Uint8Array((t.dataSync() as Int32Array).slice().buffer)],
  ['BOOL', new Uint8Array([1, 0, 1, 1, 0, 0]), (t) => Uint8Array.from(t.dataSync() as Uint8Array)],
];

describe.each<Accelerator>(['cpu', 'wasm'])('fromRecord on %s', (accelerator) => {
  it.each(cases.flatMap(([dtype, bytes, read]) => [0, 1, 2, 4, 8].map((offset) => [dtype, offset, bytes, read] as const)))(
    '%s at byte offset %i gives the exact bytes and owns them',
    async (dtype, offset, bytes, read) => {
      await selectBackend(accelerator);
      const { buffer, data } = at(offset, bytes);
      const record: TensorRecord = { name: 't', dtype, shape: [2, 3], data };
      const tensor = fromRecord(record);
      expect(tensor.shape).toEqual([2, 3]);
      expect(read(tensor)).toEqual(bytes);
      // The tensor must not depend on the file buffer once made.
      buffer.fill(0);
      expect(read(tensor)).toEqual(bytes);
      tensor.dispose();
    },
  );
});

describe.each<Accelerator>(['cpu', 'wasm'])('toWriterRecord on %s', (accelerator) => {
  it.each([
    ['float32', [1.5, -0, 3e-39, 7]],
    ['int32', [1, -2, 2147483647, 0]],
    ['bool', [1, 0, 1, 1]],
  ] as const)('lends the exact bytes of a %s tensor without allocating a tensor, and release disposes it', async (dtype, values) => {
    await selectBackend(accelerator);
    const tensor = tf.tensor([...values], [2, 2], dtype);
    const expected = new Uint8Array(tensor.dataSync().slice().buffer);
    const tensors = tf.memory().numTensors;
    const record = lent('t', tensor);
    expect(record.byteLength).toBe(expected.byteLength);
    expect(record.view()).toEqual(expected);
    // Twice: a wasm view is asked for again after every pause, and must still be right.
    expect(record.view()).toEqual(expected);
    expect(tf.memory().numTensors).toBe(tensors);
    record.release();
    expect(tensor.isDisposed).toBe(true);
  });

  it('lends an empty tensor as zero bytes', async () => {
    await selectBackend(accelerator);
    const record = lent('e', tf.zeros([0, 3]));
    expect(record.byteLength).toBe(0);
    expect(record.view().byteLength).toBe(0);
    record.release();
  });

  it('a view taken after the wasm heap grew still shows the tensor', async () => {
    await selectBackend(accelerator);
    const tensor = tf.range(0, 1024, 1, 'float32');
    const record = lent('r', tensor);
    const before = record.view().slice();
    // 64 MB of new tensors makes the wasm heap grow, which detaches views taken before.
    const ballast = tf.zeros([16 << 20]);
    expect(record.view()).toEqual(before);
    ballast.dispose();
    record.release();
  });
});
