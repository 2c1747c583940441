import * as tf from '@tensorflow/tfjs';
import { batchCount, batchOf, type Split } from './data.js';
import { benchOptimizer, classifierLoss } from './models.js';

export interface HandLoopOptions {
  epochs: number;
  batchSize: number;
}

/**
 * The baseline of the trainer-overhead benchmark: the loop a TF.js user writes by hand, doing the
 * work `trainer.fit` does for ClassifierModule: per step a gather-built batch, loss and gradients
 * in one tape, Adam's update, the loss read back (the trainer reads it too); an epoch mean of the
 * training loss; a validation pass per epoch reading each batch's loss.
 */
export async function handWrittenFit(model: tf.LayersModel, train: Split, val: Split, options: HandLoopOptions): Promise<{ trainLoss: number; valLoss: number }> {
  const optimizer = benchOptimizer();
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  let trainLoss = Number.NaN;
  let valLoss = Number.NaN;
  try {
    for (let epoch = 0; epoch < options.epochs; epoch++) {
      let sum = 0;
      let seen = 0;
      for (let i = 0; i < batchCount(train, options.batchSize); i++) {
        const [x, y] = batchOf(train, i, options.batchSize);
        const { value, grads } = tf.variableGrads(() => classifierLoss(model, x!, y!, true), variables);
        optimizer.applyGradients(grads);
        tf.dispose(grads);
        sum += (await value.data())[0]! * x!.shape[0]!;
        seen += x!.shape[0]!;
        tf.dispose([value, x!, y!]);
      }
      trainLoss = sum / seen;
      sum = 0;
      seen = 0;
      for (let i = 0; i < batchCount(val, options.batchSize); i++) {
        const [x, y] = batchOf(val, i, options.batchSize);
        const loss = tf.tidy(() => classifierLoss(model, x!, y!, false));
        sum += (await loss.data())[0]! * x!.shape[0]!;
        seen += x!.shape[0]!;
        tf.dispose([loss, x!, y!]);
      }
      valLoss = sum / seen;
    }
  } finally {
    optimizer.dispose();
  }
  return { trainLoss, valLoss };
}
