import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { selectBackend, type Accelerator } from '../../src/backend/select-backend.js';
import { TensorDataset } from '../../src/index.js';

/** The kernels a call ran (TF.js's profiler), to see which path a batch took. */
async function kernelsOf(f: () => tf.Tensor[]): Promise<string[]> {
  let out: tf.Tensor[] = [];
  const info = await tf.profile(() => {
    out = f();
    return out;
  });
  tf.dispose(out);
  return info.kernelNames;
}

describe.each<Accelerator>(['cpu', 'wasm'])('TensorDataset.getBatch on %s', (accelerator) => {
  it('gives the rows asked for: consecutive runs as one slice, other orders by gather', async () => {
    await selectBackend(accelerator);
    const x = tf.tensor3d(Array.from({ length: 6 * 2 * 3 }, (_, i) => i), [6, 2, 3]);
    const labels = tf.tensor1d([0, 1, 1, 0, 1, 0], 'bool');
    const ids = tf.tensor2d([[10], [11], [12], [13], [14], [15]], [6, 1], 'int32');
    const dataset = new TensorDataset(x, labels, ids);
    for (const indices of [[1, 2, 3], [0, 1, 2, 3, 4, 5], [5], [3, 2, 1], [0, 2, 4], [4, 5, 0]]) {
      const batch = dataset.getBatch(indices);
      const expected = [x, labels, ids].map((t) => tf.gather(t, tf.tensor1d(indices, 'int32')));
      batch.forEach((t, i) => {
        expect(t.dtype).toBe(expected[i]!.dtype);
        expect(t.shape).toEqual(expected[i]!.shape);
        expect(t.arraySync()).toEqual(expected[i]!.arraySync());
      });
      tf.dispose([...batch, ...expected]);
    }
    expect(await kernelsOf(() => dataset.getBatch([2, 3, 4]))).not.toContain('GatherV2');
    expect(await kernelsOf(() => dataset.getBatch([2, 4]))).toContain('GatherV2');
    tf.dispose([x, labels, ids]);
  });
});
