/**
 * Convnet: a small convolutional network that tells three kinds of generated 16x16 images apart
 * (horizontal bars, vertical bars, diagonal lines, all with noise), trained on the wasm backend
 * whose missing convolution gradients Cairn registers.
 *
 *   pnpm example:convnet        (from the repository root)
 *   pnpm example:convnet -- --accelerator webgpu --max-epochs 2
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { DataLoader, LightningModule, TensorDataset, Trainer, type Accelerator, type OptimizerConfig } from '@cairn/core';
import { CSVLogger, EarlyStopping, ModelCheckpoint } from '@cairn/callbacks';

type Batch = tf.Tensor[];
const SIZE = 16;
const CLASSES = 3;

class ShapesNet extends LightningModule<Batch> {
  net = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [SIZE, SIZE, 1], filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 16, kernelSize: 3, strides: 2, padding: 'valid', activation: 'relu' }),
      tf.layers.flatten(),
      tf.layers.dropout({ rate: 0.2 }),
      tf.layers.dense({ units: CLASSES, activation: 'softmax' }),
    ],
  });

  trainingStep([x, y]: Batch): tf.Scalar {
    const probs = this.net.apply(x!, { training: this.training }) as tf.Tensor;
    const loss = tf.losses.softmaxCrossEntropy(y!, probs.add(1e-7).log()) as tf.Scalar;
    this.log('train_loss', loss, { onEpoch: true, progBar: true });
    return loss;
  }

  override validationStep([x, y]: Batch): void {
    const probs = this.net.predict(x!) as tf.Tensor;
    this.log('val_loss', tf.losses.softmaxCrossEntropy(y!, probs.add(1e-7).log()), { progBar: true });
    this.log('val_acc', tf.metrics.categoricalAccuracy(y!, probs).mean(), { progBar: true });
  }

  configureOptimizers(): OptimizerConfig {
    return tf.train.adam(0.005);
  }
}

/** `count` noisy images per class; deterministic given the trainer's seed (drawn from Math.random). */
function shapes(count: number): TensorDataset {
  const images: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < count * CLASSES; i++) {
    const label = i % CLASSES;
    const offset = Math.floor(Math.random() * 4);
    for (let r = 0; r < SIZE; r++) {
      for (let c = 0; c < SIZE; c++) {
        const on = label === 0 ? (r + offset) % 4 === 0 : label === 1 ? (c + offset) % 4 === 0 : (r + c + offset) % 5 === 0;
        images.push((on ? 1 : 0) + (Math.random() - 0.5) * 0.6);
      }
    }
    labels.push(label);
  }
  return new TensorDataset(tf.tensor4d(images, [count * CLASSES, SIZE, SIZE, 1]), tf.oneHot(tf.tensor1d(labels, 'int32'), CLASSES).toFloat());
}

const logger = new CSVLogger({ saveDir: 'runs', name: 'convnet' });
// `--accelerator webgpu` (or gpu, cpu, ...) trains elsewhere; the Trainer refuses an unknown name.
// `--max-epochs N` shortens the run (a software GPU adapter is slow).
const { values: args } = parseArgs({ options: { accelerator: { type: 'string', default: 'wasm' }, 'max-epochs': { type: 'string', default: '8' } } });
const trainer = new Trainer({
  maxEpochs: Number(args['max-epochs']),
  accelerator: args.accelerator as Accelerator,
  seed: 7,
  defaultRootDir: 'runs',
  logger,
  callbacks: [
    new ModelCheckpoint({ monitor: 'val_acc', mode: 'max', saveTopK: 2, saveLast: true }),
    new EarlyStopping({ monitor: 'val_acc', mode: 'max', patience: 3, stoppingThreshold: 1.0 }),
  ],
});
const result = await trainer.fit(
  new ShapesNet(),
  new DataLoader(shapes(200), { batchSize: 32, shuffle: true }),
  new DataLoader(shapes(40), { batchSize: 64 }),
);
console.log(`backend: ${trainer.backend?.backend}; stopped after ${result.epochs} epochs (${result.stopReason})`);
console.log(`final val_acc=${result.metrics.val_acc?.toFixed(3)}; best model: ${result.bestModelPath}`);
console.log(`metrics log: ${logger.logDir}/metrics.csv`);
if ((result.bestModelScore ?? 0) <= 0.9) {
  console.error('convnet: best validation accuracy is not above 0.9');
  process.exitCode = 1;
}
