import * as tf from '@tensorflow/tfjs';
import { LightningModule, DataLoader, TensorDataset, type OptimizerConfig } from '../../src/index.js';

export type OptimizerName = 'adam' | 'sgd' | 'rmsprop';

/** A small regressor with dropout: enough to exercise randomness, optimizer slots and logging. */
export class TinyRegressor extends LightningModule<tf.Tensor[]> {
  net: tf.Sequential;
  private readonly optimizerName: OptimizerName;

  constructor(hparams: { optimizer?: OptimizerName; hidden?: number } = {}) {
    super();
    this.optimizerName = hparams.optimizer ?? 'adam';
    this.saveHyperparameters({ optimizer: this.optimizerName, hidden: hparams.hidden ?? 8 });
    this.net = tf.sequential({
      layers: [
        tf.layers.dense({ units: hparams.hidden ?? 8, inputShape: [3], activation: 'relu' }),
        tf.layers.dropout({ rate: 0.25 }),
        tf.layers.dense({ units: 1 }),
      ],
    });
  }

  trainingStep([x, y]: tf.Tensor[]): tf.Scalar {
    const prediction = this.net.apply(x!, { training: this.training }) as tf.Tensor;
    const loss = tf.losses.meanSquaredError(y!, prediction) as tf.Scalar;
    this.log('train_loss', loss, { onStep: true, onEpoch: true, progBar: true });
    return loss;
  }

  override validationStep([x, y]: tf.Tensor[]): void {
    const prediction = this.net.predict(x!) as tf.Tensor;
    this.log('val_loss', tf.losses.meanSquaredError(y!, prediction));
  }

  configureOptimizers(): OptimizerConfig {
    if (this.optimizerName === 'sgd') return tf.train.sgd(0.05);
    if (this.optimizerName === 'rmsprop') return tf.train.rmsprop(0.01);
    return tf.train.adam(0.01);
  }
}

/** y = x . w + noise, from a fixed seed (independent of the global stream). */
export function regressionData(samples: number, seed = 1): { x: tf.Tensor2D; y: tf.Tensor2D } {
  let state = seed;
  const next = (): number => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31 - 0.5;
  };
  const xs: number[][] = [];
  const ys: number[][] = [];
  for (let i = 0; i < samples; i++) {
    const row = [next(), next(), next()];
    xs.push(row);
    ys.push([row[0]! * 2 - row[1]! + 0.5 * row[2]! + 0.01 * next()]);
  }
  return { x: tf.tensor2d(xs), y: tf.tensor2d(ys) };
}

export function loaders(trainSamples = 40, valSamples = 16, batchSize = 8, seed = 3): { train: DataLoader<tf.Tensor[]>; val: DataLoader<tf.Tensor[]> } {
  const t = regressionData(trainSamples, 1);
  const v = regressionData(valSamples, 2);
  return {
    train: new DataLoader(new TensorDataset(t.x, t.y), { batchSize, shuffle: true, seed }),
    val: new DataLoader(new TensorDataset(v.x, v.y), { batchSize }),
  };
}

/** Every weight of a module as plain arrays, for exact comparisons. */
export function weightValues(module: LightningModule): Record<string, number[]> {
  return Object.fromEntries(module.namedWeights().map(({ name, variable }) => [name, Array.from(variable.dataSync())]));
}

export const quiet = { enableProgressBar: false, enableCheckpointing: false, print: () => undefined } as const;
