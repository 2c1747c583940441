import * as tf from '@tensorflow/tfjs';

/** Weight of a batch in epoch means: the first dimension of its first tensor. */
export function batchSizeOf(batch: unknown): number | undefined {
  if (batch instanceof tf.Tensor) return batch.rank > 0 ? batch.shape[0] : undefined;
  if (Array.isArray(batch)) {
    for (const item of batch) {
      const size = batchSizeOf(item);
      if (size !== undefined) return size;
    }
    return undefined;
  }
  if (typeof batch === 'object' && batch !== null) return batchSizeOf(Object.values(batch));
  return undefined;
}
