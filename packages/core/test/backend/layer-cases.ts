import * as tf from '@tensorflow/tfjs';
import { seeded, seededInts } from './helpers.js';

export interface LayerCase {
  name: string;
  layer: () => tf.layers.Layer;
  inputShape: number[];
  /** Integer ids below this bound instead of float inputs (embedding): no gradient w.r.t. the input. */
  idsBelow?: number;
}

/**
 * Gradients of a scalar loss sum(layer(x) * probe) w.r.t. each trainable weight and (float inputs) x.
 * Weights, input and probe come from fixed seeds, so every backend sees identical numbers.
 */
export function layerGradients(c: LayerCase): tf.Tensor[] {
  const layer = c.layer();
  const size = c.inputShape.reduce((a, b) => a * b, 1);
  const x = c.idsBelow === undefined
    ? tf.variable(tf.tensor(seeded(size, 1), c.inputShape), true, undefined, 'float32')
    : tf.tensor(seededInts(size, c.idsBelow, 1), c.inputShape, 'int32');
  const outShape = tf.tidy(() => (layer.apply(x) as tf.Tensor).shape);
  layer.setWeights(layer.getWeights().map((w, i) => tf.tensor(seeded(w.size, 10 + i), w.shape)));
  const probe = tf.tensor(seeded(outShape.reduce((a, b) => a * b, 1), 2), outShape);
  const variables = layer.trainableWeights.map((w) => {
    const v = w.read();
    if (!(v instanceof tf.Variable)) throw new Error('layer weight is not a tf.Variable');
    return v;
  });
  if (x instanceof tf.Variable) variables.push(x);
  const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(x) as tf.Tensor, probe)), variables);
  const result = variables.map((v) => {
    const g = grads[v.name];
    if (g === undefined) throw new Error(`no gradient for ${v.name}`);
    return g;
  });
  tf.dispose([value, probe, x]);
  for (const w of layer.weights) w.dispose();
  return result;
}

const conv2dCases: LayerCase[] = [1, 2].flatMap((strides) =>
  (['same', 'valid'] as const).map((padding) => ({
    name: `conv2d stride ${strides} ${padding}`,
    layer: () => tf.layers.conv2d({ filters: 4, kernelSize: [3, 2], strides, padding, activation: 'tanh' }),
    // 8 x 9 with a 3 x 2 kernel: uneven 'same' padding, and rows/columns 'valid' stride 2 never reads.
    inputShape: [2, 8, 9, 3],
  })),
);

// tfjs-layers 4.22 has no 'causal' conv1d (NotImplementedError on every backend).
const conv1dCases: LayerCase[] = [1, 2].flatMap((strides) =>
  (['same', 'valid'] as const).map((padding) => ({
    name: `conv1d stride ${strides} ${padding}`,
    layer: () => tf.layers.conv1d({ filters: 3, kernelSize: 3, strides, padding }),
    inputShape: [2, 11, 4],
  })),
);

/** The layers whose gradients every backend must compute as cpu does. */
export const layerCases: LayerCase[] = [
  { name: 'dense', layer: () => tf.layers.dense({ units: 5, activation: 'tanh' }), inputShape: [4, 7] },
  ...conv2dCases,
  ...conv1dCases,
  {
    name: 'depthwise conv2d stride 1 same',
    layer: () => tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same' }),
    inputShape: [2, 7, 8, 3],
  },
  {
    name: 'depthwise conv2d stride 2 valid',
    layer: () => tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, strides: 2, padding: 'valid' }),
    inputShape: [2, 7, 8, 3],
  },
  {
    name: 'separable conv2d',
    layer: () => tf.layers.separableConv2d({ filters: 4, kernelSize: 3, padding: 'same' }),
    inputShape: [2, 6, 6, 3],
  },
  { name: 'embedding', layer: () => tf.layers.embedding({ inputDim: 10, outputDim: 4 }), inputShape: [3, 5], idsBelow: 10 },
];
