import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src/backend/select-backend.js';
import { seeded } from './helpers.js';

/** 32 single-channel 8 x 8 images; the label says whether the left half is brighter than the right. */
function leftBrighterData(): { x: tf.Tensor4D; y: tf.Tensor2D } {
  const pixels = seeded(32 * 8 * 8, 7);
  const labels: number[] = [];
  for (let n = 0; n < 32; n++) {
    let balance = 0;
    for (let i = 0; i < 64; i++) balance += (i % 8 < 4 ? 1 : -1) * (pixels[n * 64 + i] ?? 0);
    labels.push(balance > 0 ? 1 : 0, balance > 0 ? 0 : 1);
  }
  return { x: tf.tensor4d(pixels, [32, 8, 8, 1]), y: tf.tensor2d(labels, [32, 2]) };
}

describe('training on wasm', () => {
  it('a small Conv2D model (fused and strided conv, pooling) trains: loss goes down', async () => {
    await selectBackend('wasm');
    const seed = 3;
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
        tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }) }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(0.02), loss: 'categoricalCrossentropy' });
    const { x, y } = leftBrighterData();
    const history = await model.fit(x, y, { epochs: 8, batchSize: 8, shuffle: false, verbose: 0 });
    const losses = history.history['loss'] as number[];
    expect(tf.getBackend()).toBe('wasm');
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[losses.length - 1]).toBeLessThan((losses[0] ?? 0) * 0.8);
    tf.dispose([x, y]);
    model.dispose();
  });
});
