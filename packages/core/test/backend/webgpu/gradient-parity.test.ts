import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { backendVsCpu } from '../helpers.js';
import { layerCases, layerGradients, type LayerCase } from '../layer-cases.js';
import { useWebGpu } from './webgpu-adapter.js';

const TOLERANCE = 1e-5;

/** Beyond the layers every backend is held to: pooling and a recurrent layer. */
const webGpuCases: LayerCase[] = [
  { name: 'max pooling 2d stride 2 valid', layer: () => tf.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: 'valid' }), inputShape: [2, 7, 8, 3] },
  { name: 'max pooling 2d stride 1 same', layer: () => tf.layers.maxPooling2d({ poolSize: 3, strides: 1, padding: 'same' }), inputShape: [2, 6, 5, 2] },
  { name: 'average pooling 2d stride 2 same', layer: () => tf.layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' }), inputShape: [2, 7, 8, 3] },
  { name: 'max pooling 1d', layer: () => tf.layers.maxPooling1d({ poolSize: 2, strides: 2 }), inputShape: [2, 9, 4] },
  { name: 'lstm', layer: () => tf.layers.lstm({ units: 4, returnSequences: true }), inputShape: [2, 5, 3] },
];

// Pooling layers have no weights: only the gradient with respect to the input is compared there.
const weightless = new Set(webGpuCases.filter((c) => c.name.includes('pooling')).map((c) => c.name));

describe('webgpu gradients match cpu', () => {
  for (const c of [...layerCases, ...webGpuCases]) {
    it(c.name, async ({ skip }) => {
      await useWebGpu(skip);
      const errors = await backendVsCpu('webgpu', () => layerGradients(c));
      // Every trainable weight, plus the input for float inputs.
      expect(errors.length).toBeGreaterThanOrEqual(weightless.has(c.name) ? 1 : c.idsBelow === undefined ? 2 : 1);
      for (const error of errors) expect(error).toBeLessThan(TOLERANCE);
    });
  }
});
