import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { Callback, DataLoader, resetRandom, TensorDataset, Trainer, type LightningModule, type OptimizerConfig, type Stage } from '../../src/index.js';
import { Recorder } from '../helpers/hook-recorder.js';
import { loaders, quiet, regressionData, TinyRegressor, weightValues } from '../helpers/tiny-module.js';

afterEach(() => resetRandom());

/** TinyRegressor that also logs per-batch counts with 'sum' and 'max', and records what validate calls on it. */
class Probed extends TinyRegressor {
  readonly calls: string[] = [];
  readonly trainingFlags: boolean[] = [];

  override setup(stage: Stage): void {
    this.calls.push(`setup:${stage}`);
  }
  override teardown(stage: Stage): void {
    this.calls.push(`teardown:${stage}`);
  }
  override validationStep(batch: tf.Tensor[], _batchIdx?: number): void {
    super.validationStep(batch);
    this.trainingFlags.push(this.training);
    const rows = batch[0]!.shape[0]!;
    this.log('val_rows', rows, { reduce: 'sum' });
    this.log('val_largest_batch', rows, { reduce: 'max' });
  }
  override configureOptimizers(): OptimizerConfig {
    this.calls.push('configureOptimizers');
    return super.configureOptimizers();
  }
}

/** What callbacks see of setup/teardown: the stage argument and trainer.stage at that moment. */
class StageSpy extends Callback {
  readonly seen: string[] = [];
  override setup(trainer: Trainer, _module: LightningModule, stage: Stage): void {
    this.seen.push(`setup:${stage}:${String(trainer.stage)}`);
  }
  override teardown(trainer: Trainer, _module: LightningModule, stage: Stage): void {
    this.seen.push(`teardown:${stage}:${String(trainer.stage)}`);
  }
}

/** 10 validation samples in batches of 4: 4, 4, 2 (the last batch weighs half as much). */
function unevenVal(): { loader: DataLoader<tf.Tensor[]>; x: tf.Tensor2D; y: tf.Tensor2D } {
  const { x, y } = regressionData(10, 2);
  return { loader: new DataLoader(new TensorDataset(x, y), { batchSize: 4 }), x, y };
}

/** The mean squared error of the whole set at once, and the plain mean of the three batch errors. */
function referenceLosses(module: TinyRegressor, x: tf.Tensor2D, y: tf.Tensor2D): { whole: number; unweighted: number } {
  const mse = (from: number, size: number): number =>
    tf.tidy(() => tf.losses.meanSquaredError(y.slice(from, size), module.net.predict(x.slice(from, size)) as tf.Tensor).dataSync()[0]!);
  return { whole: mse(0, 10), unweighted: (mse(0, 4) + mse(4, 4) + mse(8, 2)) / 3 };
}

const VALIDATION_BATCH = ['onValidationBatchStart', 'onValidationBatchEnd'];

describe('trainer.validate', () => {
  it('returns epoch metrics weighted by batch size across uneven batches, with sum and max reductions', async () => {
    const module = new Probed();
    const { loader, x, y } = unevenVal();
    const metrics = await new Trainer({ ...quiet, accelerator: 'cpu' }).validate(module, loader);
    const { whole, unweighted } = referenceLosses(module, x, y);
    // The data must tell the two means apart, or the weighting would go untested.
    expect(Math.abs(unweighted - whole)).toBeGreaterThan(1e-3);
    expect(metrics).toEqual({ val_loss: expect.closeTo(whole, 6), val_rows: 10, val_largest_batch: 4 });
  });

  it('calls setup and teardown with stage validate, and only the validation hooks, in order', async () => {
    const recorder = new Recorder();
    const spy = new StageSpy();
    const module = new Probed();
    await new Trainer({ ...quiet, accelerator: 'cpu', callbacks: [recorder, spy] }).validate(module, unevenVal().loader);
    expect(recorder.calls).toEqual([
      'setup', 'onValidationStart', 'onValidationEpochStart',
      ...VALIDATION_BATCH, ...VALIDATION_BATCH, ...VALIDATION_BATCH,
      'onValidationEpochEnd', 'onValidationEnd', 'teardown',
    ]);
    expect(spy.seen).toEqual(['setup:validate:validate', 'teardown:validate:validate']);
    expect(module.calls).toEqual(['setup:validate', 'teardown:validate']);
  });

  it('does not train: weights unchanged, no optimizer, no step, training flag off', async () => {
    const module = new Probed();
    const before = weightValues(module);
    const trainer = new Trainer({ ...quiet, accelerator: 'cpu' });
    await trainer.validate(module, unevenVal().loader);
    expect(weightValues(module)).toEqual(before);
    expect(module.calls).not.toContain('configureOptimizers');
    expect(trainer.optimizer).toBeUndefined();
    expect(trainer.globalStep).toBe(0);
    expect(module.trainingFlags).toEqual([false, false, false]);
  });

  it('after a fit, scores the trained weights as the last validation did and writes no checkpoint', async () => {
    const { train } = loaders(40, 16, 8);
    const val = unevenVal().loader;
    const trainer = new Trainer({ ...quiet, enableCheckpointing: true, defaultRootDir: await mkdtemp(join(tmpdir(), 'cairn-validate-')), accelerator: 'cpu', maxEpochs: 2, seed: 5 });
    const module = new TinyRegressor();
    const fitted = await trainer.fit(module, train, val);
    const checkpoints = await readdir(join(trainer.defaultRootDir, 'checkpoints'));
    const trained = weightValues(module);

    const metrics = await trainer.validate(module, val);
    // Same weights, same batches, same backend: the very number the fit's last validation logged.
    expect(metrics.val_loss).toBe(fitted.metrics.val_loss);
    expect(trainer.callbackMetrics.val_loss).toBe(fitted.metrics.val_loss);
    expect(weightValues(module)).toEqual(trained);
    // The list still names the fit's files (validate keeps the fit's record) and gained none.
    expect(trainer.checkpointingFiles).toEqual(fitted.checkpointingFiles);
    expect(await readdir(join(trainer.defaultRootDir, 'checkpoints'))).toEqual(checkpoints);
    expect(trainer.stage).toBeUndefined();
  });

  it('tears down when a validation step throws, and the trainer can validate again', async () => {
    class Failing extends Probed {
      override validationStep(batch: tf.Tensor[], batchIdx: number): void {
        if (batchIdx === 1) throw new Error('bad batch');
        super.validationStep(batch);
      }
    }
    const module = new Failing();
    const trainer = new Trainer({ ...quiet, accelerator: 'cpu' });
    await expect(trainer.validate(module, unevenVal().loader)).rejects.toThrow('bad batch');
    expect(module.calls).toEqual(['setup:validate', 'teardown:validate']);
    expect(trainer.stage).toBeUndefined();
    expect(await trainer.validate(new Probed(), unevenVal().loader)).toHaveProperty('val_rows', 10);
  });
});
