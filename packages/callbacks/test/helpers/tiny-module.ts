import * as tf from '@tensorflow/tfjs';
import { Callback, Checkpoint, DataLoader, LightningModule, TensorDataset, Trainer, type OptimizerConfig, type TrainerOptions } from '@cairn/core';

/** A small regressor: y = x . w, logged as Lightning users do (train_loss per step and epoch, val_loss per epoch). */
export class TinyRegressor extends LightningModule<tf.Tensor[]> {
  net: tf.Sequential;

  constructor(private readonly lr = 0.05) {
    super();
    this.saveHyperparameters({ lr, hidden: 4 });
    this.net = tf.sequential({ layers: [tf.layers.dense({ units: 4, inputShape: [3], activation: 'relu' }), tf.layers.dense({ units: 1 })] });
  }

  trainingStep([x, y]: tf.Tensor[]): tf.Scalar {
    const loss = tf.losses.meanSquaredError(y!, this.net.apply(x!) as tf.Tensor) as tf.Scalar;
    this.log('train_loss', loss, { onStep: true, onEpoch: true });
    return loss;
  }

  override validationStep([x, y]: tf.Tensor[]): void {
    this.log('val_loss', tf.losses.meanSquaredError(y!, this.net.predict(x!) as tf.Tensor));
  }

  configureOptimizers(): OptimizerConfig {
    return tf.train.sgd(this.lr);
  }
}

function regression(samples: number, seed: number): { x: tf.Tensor2D; y: tf.Tensor2D } {
  let state = seed;
  const next = (): number => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31 - 0.5;
  };
  const xs = Array.from({ length: samples }, () => [next(), next(), next()]);
  return { x: tf.tensor2d(xs), y: tf.tensor2d(xs.map(([a, b, c]) => [a! * 2 - b! + 0.5 * c!])) };
}

/** 5 training batches and 2 validation batches of 8. */
export function loaders(): { train: DataLoader<tf.Tensor[]>; val: DataLoader<tf.Tensor[]> } {
  const t = regression(40, 1);
  const v = regression(16, 2);
  return {
    train: new DataLoader(new TensorDataset(t.x, t.y), { batchSize: 8, shuffle: true, seed: 3 }),
    val: new DataLoader(new TensorDataset(v.x, v.y), { batchSize: 8 }),
  };
}

/** Trainer options for tests: cpu, silent, no default callbacks, seeded. */
export function testTrainer(options: TrainerOptions): Trainer {
  // No default ModelCheckpoint; one given in callbacks is kept (the Trainer refuses it next to enableCheckpointing: false).
  const givesCheckpoint = options.callbacks?.some((c) => c instanceof Checkpoint) ?? false;
  return new Trainer({ accelerator: 'cpu', enableProgressBar: false, enableCheckpointing: givesCheckpoint, seed: 7, print: () => undefined, ...options });
}

/** Requests a checkpoint at the end of global step `step`. */
export class SaveAtStep extends Callback {
  constructor(private readonly step: number, private readonly path: string) {
    super();
  }
  override onTrainBatchEnd(trainer: Trainer): void {
    if (trainer.globalStep === this.step) void trainer.saveCheckpoint(this.path);
  }
}

/** Simulates a crash at the start of the step after `afterStep`. */
export class CrashAfterStep extends Callback {
  constructor(private readonly afterStep: number) {
    super();
  }
  override onTrainBatchStart(trainer: Trainer): void {
    if (trainer.globalStep === this.afterStep) throw new Error('simulated crash');
  }
}
