import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { selectBackend, type Accelerator } from '../../src/backend/select-backend.js';
import { fromRecord } from '../../src/checkpoint/tensor-records.js';
import type { SafetensorsDtype, TensorRecord } from '../../src/checkpoint/file/index.js';

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
