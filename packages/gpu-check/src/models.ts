import * as tf from '@tensorflow/tfjs';

/** A model the check trains, with the data shape it takes. python/lightning_peer.py builds the same two. */
export interface ModelSpec {
  key: 'mlp' | 'resnet';
  name: string;
  build: () => tf.LayersModel;
  inputShape: number[];
  classes: number;
  batch: number;
}

function mlp(): tf.LayersModel {
  return tf.sequential({
    layers: [tf.layers.dense({ units: 256, inputShape: [784], activation: 'relu' }), tf.layers.dense({ units: 10 })],
  });
}

const conv = (filters: number, kernelSize: number, strides: number): tf.layers.Layer =>
  tf.layers.conv2d({ filters, kernelSize, strides, padding: 'same' });

/** Two 3x3 convolutions and a shortcut (a strided 1x1 convolution where the shape changes), then relu. */
function residual(x: tf.SymbolicTensor, filters: number, strides: number): tf.SymbolicTensor {
  const inner = tf.layers.reLU().apply(conv(filters, 3, strides).apply(x)) as tf.SymbolicTensor;
  const branch = conv(filters, 3, 1).apply(inner) as tf.SymbolicTensor;
  const channels = x.shape[x.shape.length - 1];
  const shortcut = strides === 1 && channels === filters ? x : (conv(filters, 1, strides).apply(x) as tf.SymbolicTensor);
  return tf.layers.reLU().apply(tf.layers.add().apply([branch, shortcut])) as tf.SymbolicTensor;
}

/** A small ResNet-style net for 32x32x3 images: stem, three residual blocks (16, 32/2, 64/2), global pooling, 10 classes. */
function resnet(): tf.LayersModel {
  const input = tf.input({ shape: [32, 32, 3] });
  let x = tf.layers.reLU().apply(conv(16, 3, 1).apply(input)) as tf.SymbolicTensor;
  x = residual(x, 16, 1);
  x = residual(x, 32, 2);
  x = residual(x, 64, 2);
  const pooled = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: tf.layers.dense({ units: 10 }).apply(pooled) as tf.SymbolicTensor });
}

/** Batch 128 as the issue asks; the quick dry run on a software adapter uses small batches. */
export function modelSpecs(quick: boolean): ModelSpec[] {
  return [
    { key: 'mlp', name: 'MLP 784-256-10', build: mlp, inputShape: [784], classes: 10, batch: quick ? 32 : 128 },
    { key: 'resnet', name: 'ResNet-style conv net 32x32x3', build: resnet, inputShape: [32, 32, 3], classes: 10, batch: quick ? 2 : 128 },
  ];
}
