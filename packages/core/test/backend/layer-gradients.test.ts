import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { seeded, wasmVsCpu } from './helpers.js';
import { layerCases as cases, layerGradients } from './layer-cases.js';

const TOLERANCE = 1e-5;

describe('wasm gradients match cpu', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const errors = await wasmVsCpu(() => layerGradients(c));
      // Every trainable weight, plus the input for float inputs.
      expect(errors.length).toBeGreaterThanOrEqual(c.idsBelow === undefined ? 2 : 1);
      for (const error of errors) expect(error).toBeLessThan(TOLERANCE);
    });
  }

  it('conv2d op with explicit asymmetric padding', async () => {
    const pad: tf.backend_util.ExplicitPadding = [[0, 0], [1, 2], [2, 0], [0, 0]];
    const errors = await wasmVsCpu(() => {
      const x = tf.tensor4d(seeded(2 * 9 * 7 * 3, 3), [2, 9, 7, 3]);
      const f = tf.tensor4d(seeded(3 * 3 * 3 * 5, 4), [3, 3, 3, 5]);
      const loss = (a: tf.Tensor, b: tf.Tensor): tf.Tensor => {
        const y = tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, pad);
        return tf.sum(tf.mul(y, tf.tensor(seeded(y.size, 5), y.shape)));
      };
      const grads = tf.grads(loss)([x, f]);
      tf.dispose([x, f]);
      return grads;
    });
    expect(errors).toHaveLength(2);
    for (const error of errors) expect(error).toBeLessThan(TOLERANCE);
  });
});
