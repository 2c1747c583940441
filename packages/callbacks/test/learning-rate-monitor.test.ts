import * as tf from '@tensorflow/tfjs';
import { ExponentialLR, StepLR, type Logger, type LrSchedulerConfig, type OptimizerConfig } from '@cairn/core';
import { describe, expect, it } from 'vitest';
import { LearningRateMonitor, type LearningRateMonitorOptions } from '../src/index.js';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CrashAfterStep, loaders, SaveAtStep, testTrainer, TinyRegressor } from './helpers/tiny-module.js';

class RowLogger implements Logger {
  rows: { step: number; metrics: Record<string, number> }[] = [];
  logMetrics(metrics: Record<string, number>, step: number): void {
    this.rows.push({ step, metrics: { ...metrics } });
  }
  /** The value of `name` in each row that has it, with the row's step and epoch. */
  valuesOf(name: string): { step: number; epoch: number | undefined; value: number }[] {
    return this.rows.filter((r) => name in r.metrics).map((r) => ({ step: r.step, epoch: r.metrics.epoch, value: r.metrics[name]! }));
  }
}

/** TinyRegressor with an optimizer and an optional schedule of the test's choice. */
class Configured extends TinyRegressor {
  constructor(
    private readonly makeOptimizer: () => tf.Optimizer,
    private readonly schedule?: (optimizer: tf.Optimizer) => LrSchedulerConfig,
  ) {
    super();
  }
  override configureOptimizers(): OptimizerConfig {
    const optimizer = this.makeOptimizer();
    return this.schedule === undefined ? optimizer : { optimizer, lrScheduler: this.schedule(optimizer) };
  }
}

/** 5 steps per epoch; every step's metrics go to the logger. */
async function run(module: TinyRegressor, monitor: LearningRateMonitorOptions, maxEpochs = 2): Promise<{ logger: RowLogger; metrics: Record<string, number>; printed: string[] }> {
  const logger = new RowLogger();
  const printed: string[] = [];
  const trainer = testTrainer({ maxEpochs, logEveryNSteps: 1, logger, callbacks: [new LearningRateMonitor({ ...monitor, print: (line) => printed.push(line) })] });
  const { train, val } = loaders();
  const result = await trainer.fit(module, train, val);
  return { logger, metrics: result.metrics, printed };
}

const sgd = (lr = 0.1) => () => tf.train.sgd(lr);

describe('LearningRateMonitor', () => {
  it("logs a 'step' scheduler's lr at every step, the lr that step used", async () => {
    const module = new Configured(sgd(), (o) => ({ scheduler: new ExponentialLR(o, { gamma: 0.5 }), interval: 'step' }));
    const { logger, metrics } = await run(module, {}, 1);
    const values = logger.valuesOf('lr-SGD');
    expect(values.map((v) => v.step)).toEqual([0, 1, 2, 3, 4]);
    values.forEach((v, i) => expect(v.value).toBeCloseTo(0.1 * 0.5 ** i, 12));
    expect(metrics['lr-SGD']).toBeCloseTo(0.1 * 0.5 ** 4, 12);
  });

  it("logs an 'epoch' scheduler's lr once per epoch, with the epoch's metrics", async () => {
    const module = new Configured(sgd(), (o) => ({ scheduler: new StepLR(o, { stepSize: 1, gamma: 0.1 }), name: 'lr-main' }));
    const { logger, metrics } = await run(module, {}, 3);
    const values = logger.valuesOf('lr-main');
    expect(values.map((v) => v.epoch)).toEqual([0, 1, 2]);
    values.forEach((v, i) => expect(v.value).toBeCloseTo(0.1 * 0.1 ** i, 12));
    // Published with the epoch aggregates: the same rows as train_loss_epoch.
    expect(values.map((v) => v.step)).toEqual(logger.valuesOf('train_loss_epoch').map((v) => v.step));
    expect(logger.valuesOf('lr-SGD')).toEqual([]);
    expect(metrics['lr-main']).toBeCloseTo(0.001, 12);
  });

  it("loggingInterval overrides the scheduler's interval", async () => {
    const module = new Configured(sgd(), (o) => ({ scheduler: new StepLR(o, { stepSize: 1 }) }));
    const { logger } = await run(module, { loggingInterval: 'step' }, 2);
    expect(logger.valuesOf('lr-SGD').map((v) => v.value)).toEqual([...Array<number>(5).fill(0.1), ...Array<number>(5).fill(0.1 * 0.1)]);
  });

  it('logs an unscheduled optimizer at steps and epochs, as Lightning does; only at epochs when asked', async () => {
    const both = await run(new Configured(() => tf.train.adam(0.01)), {}, 1);
    expect(both.logger.valuesOf('lr-Adam')).toHaveLength(6);
    const epochs = await run(new Configured(() => tf.train.adam(0.01)), { loggingInterval: 'epoch' }, 2);
    expect(epochs.logger.valuesOf('lr-Adam').map((v) => [v.epoch, v.value])).toEqual([
      [0, 0.01],
      [1, 0.01],
    ]);
  });

  it('logMomentum logs beta1 or momentum, and 0 with a notice for optimizers without one', async () => {
    const adam = await run(new Configured(() => tf.train.adam(0.01, 0.8)), { logMomentum: true, loggingInterval: 'step' }, 1);
    expect(adam.logger.valuesOf('lr-Adam-momentum').map((v) => v.value)).toEqual(Array<number>(5).fill(0.8));
    expect(adam.printed).toEqual([]);
    const momentum = await run(new Configured(() => tf.train.momentum(0.01, 0.95)), { logMomentum: true, loggingInterval: 'step' }, 1);
    expect(momentum.metrics['lr-Momentum-momentum']).toBe(0.95);
    const plain = await run(new Configured(sgd()), { logMomentum: true, loggingInterval: 'step' }, 1);
    expect(plain.metrics['lr-SGD-momentum']).toBe(0);
    expect(plain.printed).toEqual(['LearningRateMonitor: logMomentum is set but SGD has no momentum; 0 is logged for it']);
  });

  it('a run resumed mid-epoch still logs the epoch value it logged before the interruption', async () => {
    const schedule = (o: tf.Optimizer): LrSchedulerConfig => ({ scheduler: new StepLR(o, { stepSize: 1, gamma: 0.5 }) });
    const path = join(await mkdtemp(join(tmpdir(), 'cairn-lrm-')), 'mid.ckpt');
    const first = testTrainer({ maxEpochs: 2, callbacks: [new LearningRateMonitor(), new SaveAtStep(7, path), new CrashAfterStep(7)] });
    const firstData = loaders();
    await expect(first.fit(new Configured(sgd(), schedule), firstData.train, firstData.val)).rejects.toThrow('simulated crash');

    const logger = new RowLogger();
    const second = testTrainer({ maxEpochs: 2, logEveryNSteps: 1, logger, callbacks: [new LearningRateMonitor()] });
    const { train, val } = loaders();
    await second.fit(new Configured(sgd(), schedule), train, val, { ckptPath: path });
    expect(logger.valuesOf('lr-SGD').map((v) => [v.epoch, v.value])).toEqual([[1, 0.05]]);
  });

  it('checks its options', () => {
    expect(() => new LearningRateMonitor({ loggingInterval: 'batch' as never })).toThrow("LearningRateMonitor: option 'loggingInterval' must be 'step', 'epoch' or undefined, got \"batch\"");
    expect(() => new LearningRateMonitor({ logMomentum: 'yes' as never })).toThrow("option 'logMomentum' must be a boolean");
  });
});
