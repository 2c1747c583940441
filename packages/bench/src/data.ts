import * as tf from '@tensorflow/tfjs';
import { DataLoader, TensorDataset } from '@cairn/core';
import type { Batch } from './models.js';

/** Random inputs with one-hot labels: timings do not depend on what the data mean. */
export interface Split {
  x: tf.Tensor;
  y: tf.Tensor;
}

export function syntheticSplit(samples: number, inputShape: readonly number[], classes: number): Split {
  return tf.tidy(() => {
    const labels = tf.randomUniform([samples], 0, classes, 'int32');
    return { x: tf.randomNormal([samples, ...inputShape]), y: tf.oneHot(labels, classes).toFloat() };
  });
}

/** The loader the trainer gets: sequential batches, so the hand-written loop can batch identically. */
export function loaderOf(split: Split, batchSize: number): DataLoader<Batch> {
  return new DataLoader(new TensorDataset(split.x, split.y), { batchSize });
}

/** Batch `index` of a split, built as TensorDataset builds it (an index tensor and a gather). */
export function batchOf(split: Split, index: number, batchSize: number): Batch {
  const n = split.x.shape[0]!;
  const start = index * batchSize;
  const indices = Array.from({ length: Math.min(batchSize, n - start) }, (_, i) => start + i);
  return tf.tidy(() => {
    const idx = tf.tensor1d(indices, 'int32');
    return [tf.gather(split.x, idx), tf.gather(split.y, idx)];
  });
}

export function batchCount(split: Split, batchSize: number): number {
  return Math.ceil(split.x.shape[0]! / batchSize);
}

export function disposeSplit(split: Split): void {
  tf.dispose([split.x, split.y]);
}
