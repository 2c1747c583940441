/**
 * Iris: a small classifier trained on the real iris measurements (150 flowers, 3 species) on the
 * wasm backend, with its data in a LightningDataModule, top-k checkpointing on validation accuracy,
 * early stopping, a CSV log, and a final trainer.test of the best checkpoint.
 *
 *   pnpm example        (from the repository root)
 *   pnpm example -- --accelerator webgpu   (on a GPU through Dawn, see docs/backends.md)
 *
 * The same run from the shell: `npx cairn fit --config run.yaml` (see run.yaml and docs/cli.md).
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { Trainer, type Accelerator } from '@cairn/core';
import { CSVLogger, EarlyStopping, ModelCheckpoint } from '@cairn/callbacks';
import { IrisData } from './data.js';
import { IrisClassifier } from './model.js';

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
