import * as tf from '@tensorflow/tfjs';
import { initialValue, LightningModule, type OptimizerConfig } from '@cairn/core';

export type Batch = tf.Tensor[];

/** Softmax cross-entropy of a classifier on one batch: the loss both the module and the hand-written loop use. */
export function classifierLoss(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, training: boolean): tf.Scalar {
  const logits = model.apply(x, { training }) as tf.Tensor;
  return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
}

/** Dense layers `widths[0] -> ... -> widths[n-1]`, relu between, logits out. */
export function denseStack(widths: readonly number[]): tf.Sequential {
  const model = tf.sequential();
  for (let i = 1; i < widths.length; i++) {
    const last = i === widths.length - 1;
    model.add(tf.layers.dense({ units: widths[i]!, inputShape: i === 1 ? [widths[0]!] : undefined, activation: last ? 'linear' : 'relu' }));
  }
  return model;
}

/**
 * A small conv net for `size`x`size`x1 images (the shape of examples/convnet): conv `filters[0]` 3x3 same,
 * 2x2 max-pool, conv `filters[1]` 3x3 stride 2 valid, dense to `classes`.
 */
export function smallConvNet(size: number, classes: number, filters: [number, number] = [8, 16]): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [size, size, 1], filters: filters[0], kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: filters[1], kernelSize: 3, strides: 2, padding: 'valid', activation: 'relu' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: classes }),
    ],
  });
}

/** Adam with the learning rate every benchmark uses. */
export function benchOptimizer(): tf.Optimizer {
  return tf.train.adam(1e-3);
}

/** A classifier as a LightningModule, logging what a typical module logs (train and val loss). */
export class ClassifierModule extends LightningModule<Batch> {
  constructor(readonly net: tf.LayersModel) {
    super();
  }

  trainingStep([x, y]: Batch): tf.Scalar {
    const loss = classifierLoss(this.net, x!, y!, this.training);
    this.log('train_loss', loss, { onEpoch: true });
    return loss;
  }

  override validationStep([x, y]: Batch): void {
    this.log('val_loss', classifierLoss(this.net, x!, y!, false));
  }

  configureOptimizers(): OptimizerConfig {
    return benchOptimizer();
  }
}

/**
 * A module that is nothing but big variables (the training state a save has to move); its loss
 * touches every element so Adam gets full-size slots.
 */
export class BigStateModule extends LightningModule<number> {
  readonly weights: tf.Variable[];

  constructor(count: number, shape: [number, number]) {
    super();
    // initialValue: random as usual, but no wasted random values when loadFromCheckpoint builds it.
    this.weights = Array.from({ length: count }, () => tf.variable(initialValue(shape, () => tf.randomNormal(shape))));
  }

  trainingStep(): tf.Scalar {
    return tf.addN(this.weights.map((w) => tf.mean(tf.square(w)))) as tf.Scalar;
  }

  configureOptimizers(): OptimizerConfig {
    return benchOptimizer();
  }

  dispose(): void {
    tf.dispose(this.weights);
  }
}

/** Bytes of the state a full checkpoint holds with Adam: weights, m and v (float32), plus Adam's iteration scalar. */
export function adamStateBytes(parameters: number): number {
  return parameters * 4 * 3 + 4;
}
