import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/index.js';

describe("tensors cast on cpu before switching to wasm", () => {
  it('keep their values when cpu stored them in an array of another type (int32 cast to float32)', async () => {
    await selectBackend('cpu');
    const labels = tf.oneHot(tf.tensor1d([0, 1], 'int32'), 3).toFloat();
    await selectBackend('wasm');
    const logits = tf.tensor2d([[-1, -2, -3], [-1, -0.5, -2]]);
    expect(Array.from(await tf.mul(labels, logits).data())).toEqual([-1, -0, -0, -0, -0.5, -0]);
    const reference = tf.tensor2d([[1, 0, 0], [0, 1, 0]]);
    expect((await tf.losses.softmaxCrossEntropy(labels, logits).data())[0]).toBe((await tf.losses.softmaxCrossEntropy(reference, logits).data())[0]);
  });
});
