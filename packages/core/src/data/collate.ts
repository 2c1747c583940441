import * as tf from '@tensorflow/tfjs';
import type { Sample } from './dataset.js';

/**
 * Stacks a list of samples of the same structure into one batch of the same structure:
 * tensors are stacked, numbers become a 1-D tensor, tuples and records are collated field by field.
 */
export function collate(samples: readonly Sample[]): Sample {
  const first = samples[0];
  if (first === undefined) throw new Error('collate: empty batch');
  if (first instanceof tf.Tensor) return tf.stack(samples as tf.Tensor[]);
  if (typeof first === 'number') return tf.tensor1d(samples as number[]);
  if (Array.isArray(first)) {
    return first.map((_, i) => collate(samples.map((s) => (s as readonly Sample[])[i]!)));
  }
  const record = first as { readonly [key: string]: Sample };
  return Object.fromEntries(
    Object.keys(record).map((key) => [key, collate(samples.map((s) => (s as { readonly [key: string]: Sample })[key]!))]),
  );
}
