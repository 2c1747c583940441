import * as tf from '@tensorflow/tfjs';
import { DataLoader, LightningModule, TensorDataset, type OptimizerConfig } from '@cairn/core';

/** A small regressor with dropout and Adam: randomness, optimizer slots and a logged val_loss. */
export class Tiny extends LightningModule<tf.Tensor[]> {
  net = tf.sequential({
    layers: [tf.layers.dense({ units: 8, inputShape: [3], activation: 'relu' }), tf.layers.dropout({ rate: 0.25 }), tf.layers.dense({ units: 1 })],
  });

  trainingStep([x, y]: tf.Tensor[]): tf.Scalar {
    const loss = tf.losses.meanSquaredError(y!, this.net.apply(x!, { training: this.training }) as tf.Tensor) as tf.Scalar;
    this.log('train_loss', loss);
    return loss;
  }

  override validationStep([x, y]: tf.Tensor[]): void {
    this.log('val_loss', tf.losses.meanSquaredError(y!, this.net.predict(x!) as tf.Tensor));
  }

  configureOptimizers(): OptimizerConfig {
    return tf.train.adam(0.01);
  }
}

/** y = 2a - b + c/2 over a fixed grid of inputs (no randomness needed: the data are the same in every process). */
function data(samples: number, offset: number): { x: tf.Tensor2D; y: tf.Tensor2D } {
  const xs = Array.from({ length: samples }, (_, i) => [Math.sin(i + offset), Math.cos(3 * i + offset), Math.sin(7 * i * offset)]);
  return { x: tf.tensor2d(xs), y: tf.tensor2d(xs.map(([a, b, c]) => [2 * a! - b! + 0.5 * c!])) };
}

export function loaders(): { train: DataLoader<tf.Tensor[]>; val: DataLoader<tf.Tensor[]> } {
  const t = data(40, 1);
  const v = data(16, 2);
  return { train: new DataLoader(new TensorDataset(t.x, t.y), { batchSize: 8, shuffle: true, seed: 3 }), val: new DataLoader(new TensorDataset(v.x, v.y), { batchSize: 8 }) };
}

export async function weights(module: LightningModule): Promise<number[][]> {
  return Promise.all((module as Tiny).net.getWeights().map(async (w) => Array.from(await w.data())));
}
