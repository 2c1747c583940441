import type * as tf from '@tensorflow/tfjs';

/** A dataset that can assemble a whole batch at once (fast path: one gather per tensor). */
export interface BatchDataset<B> {
  readonly length: number;
  getBatch(indices: readonly number[]): B;
}

/** A sample or batch: tensors, numbers, or tuples/records of them. */
export type Sample = tf.Tensor | number | readonly Sample[] | { readonly [key: string]: Sample };

export function isBatchDataset(value: unknown): value is BatchDataset<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { getBatch?: unknown }).getBatch === 'function' &&
    typeof (value as { length?: unknown }).length === 'number'
  );
}
