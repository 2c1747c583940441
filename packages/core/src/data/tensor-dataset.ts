import * as tf from '@tensorflow/tfjs';
import type { BatchDataset } from './dataset.js';

/**
 * Tensors that share their first dimension, like PyTorch's TensorDataset. A batch is the tuple
 * of the rows at the requested indices, one tensor per input tensor.
 */
export class TensorDataset implements BatchDataset<tf.Tensor[]> {
  readonly tensors: readonly tf.Tensor[];

  constructor(...tensors: tf.Tensor[]) {
    if (tensors.length === 0) throw new Error('TensorDataset needs at least one tensor');
    const n = tensors[0]!.shape[0];
    tensors.forEach((t, i) => {
      if (t.rank === 0) throw new Error(`TensorDataset: tensor ${i} is a scalar; each needs a first (sample) dimension`);
      if (t.shape[0] !== n) {
        throw new Error(`TensorDataset: tensor ${i} has ${t.shape[0]} samples, tensor 0 has ${n}`);
      }
    });
    this.tensors = tensors;
  }

  get length(): number {
    return this.tensors[0]!.shape[0]!;
  }

  getBatch(indices: readonly number[]): tf.Tensor[] {
    return tf.tidy(() => {
      const idx = tf.tensor1d(indices as number[], 'int32');
      return this.tensors.map((t) => tf.gather(t, idx));
    });
  }
}
