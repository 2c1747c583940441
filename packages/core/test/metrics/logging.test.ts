import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Callback, DataLoader, LightningModule, TensorDataset, Trainer, type Logger, type OptimizerConfig } from '../../src/index.js';
import { quiet } from '../helpers/tiny-module.js';

/** Logs known values so aggregation can be checked exactly: batch sizes 4, 4, 2. */
class Known extends LightningModule<tf.Tensor[]> {
  w = tf.variable(tf.zeros([1]));
  trainingStep([x]: tf.Tensor[], batchIdx: number): tf.Scalar {
    this.log('step_value', batchIdx + 1);
    this.log('both', (batchIdx + 1) * 10, { onStep: true, onEpoch: true, progBar: true });
    this.log('total', 1, { onEpoch: true, onStep: false, reduce: 'sum' });
    this.log('peak', [3, 9, 5][batchIdx]!, { onEpoch: true, onStep: false, reduce: 'max' });
    this.log('hidden', 1, { logger: false });
    return tf.sum(tf.mul(x!, this.w)).reshape([]) as tf.Scalar;
  }
  override validationStep([x]: tf.Tensor[], batchIdx: number): void {
    this.log('val_metric', tf.scalar([1, 2, 4][batchIdx]!));
    void x;
  }
  configureOptimizers(): OptimizerConfig {
    return tf.train.sgd(0.1);
  }
}

class MemoryLogger implements Logger {
  rows: { step: number; metrics: Record<string, number> }[] = [];
  hparams: Record<string, unknown> | undefined;
  logMetrics(metrics: Record<string, number>, step: number): void {
    this.rows.push({ step, metrics });
  }
  logHyperparams(params: Record<string, unknown>): void {
    this.hparams = params;
  }
}

const data = (): DataLoader<tf.Tensor[]> => new DataLoader(new TensorDataset(tf.ones([10, 1])), { batchSize: 4 });

describe('log()', () => {
  it('aggregates step and epoch values with Lightning defaults', async () => {
    let atEpochEnd: Record<string, number> = {};
    const stepSeen: number[] = [];
    class Spy extends Callback {
      override onTrainBatchEnd(trainer: Trainer): void { stepSeen.push(trainer.callbackMetrics.step_value!); }
      override onTrainEpochEnd(trainer: Trainer): void { atEpochEnd = { ...trainer.callbackMetrics }; }
    }
    const logger = new MemoryLogger();
    const trainer = new Trainer({ ...quiet, accelerator: 'cpu', maxEpochs: 1, logEveryNSteps: 2, logger, callbacks: [new Spy()] });
    await trainer.fit(new Known(), data(), data());
    expect(stepSeen).toEqual([1, 2, 3]);
    // 'both' epoch mean weighted by batch size: (10*4 + 20*4 + 30*2) / 10 = 18
    expect(atEpochEnd).toMatchObject({ step_value: 3, both: 18, both_step: 30, both_epoch: 18, total: 3, peak: 9 });
    // validation: mean weighted by batch size (1*4 + 2*4 + 4*2) / 10 = 2
    expect(trainer.callbackMetrics.val_metric).toBe(2);
    expect(trainer.progressBarMetrics.both).toBe(18);
    // loggers: step metrics every 2 steps (step index 1), then validation and train epoch values
    expect(logger.rows[0]).toEqual({ step: 1, metrics: { step_value: 2, both_step: 20, epoch: 0 } });
    const all = Object.assign({}, ...logger.rows.map((r) => r.metrics)) as Record<string, number>;
    expect(all).toMatchObject({ val_metric: 2, both_epoch: 18, total: 3, peak: 9 });
    expect(all).not.toHaveProperty('hidden');
    expect(trainer.loggedMetrics).toMatchObject({ val_metric: 2, both_epoch: 18 });
  });

  it('rejects non-scalar values and unknown reductions with the metric name', async () => {
    class Bad extends Known {
      override trainingStep(batch: tf.Tensor[], i: number): tf.Scalar {
        this.log('vector', tf.ones([2]));
        return super.trainingStep(batch, i);
      }
    }
    const trainer = new Trainer({ ...quiet, accelerator: 'cpu', maxEpochs: 1 });
    await expect(trainer.fit(new Bad(), data())).rejects.toThrow("log('vector'): value must be a scalar");
    expect(() => new Known().log('x', 1)).toThrow('outside of fit');
  });

  it('logs hyper-parameters to loggers at fit start', async () => {
    const logger = new MemoryLogger();
    const module = new Known();
    module.saveHyperparameters({ lr: 0.1, layers: [2, 3] });
    await new Trainer({ ...quiet, accelerator: 'cpu', maxEpochs: 1, logger }).fit(module, data());
    expect(logger.hparams).toEqual({ lr: 0.1, layers: [2, 3] });
  });
});
