import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  Callback,
  CosineAnnealingLR,
  ExponentialLR,
  getLearningRate,
  ReduceLROnPlateau,
  resetRandom,
  StepLR,
  Trainer,
  type LrSchedulerConfig,
  type OptimizerConfig,
  type TrainerOptions,
} from '../../../src/index.js';
import { CrashAfterStep, SaveAtSteps } from '../../helpers/run-recorder.js';
import { loaders, quiet, TinyRegressor, weightValues } from '../../helpers/tiny-module.js';

afterEach(() => resetRandom());

const BASE_LR = 0.05;

/** TinyRegressor on SGD with the schedule under test; also logs a constant 'plateau' metric in validation. */
class Scheduled extends TinyRegressor {
  constructor(private readonly schedule: (optimizer: tf.Optimizer) => LrSchedulerConfig) {
    super();
  }

  override validationStep(batch: tf.Tensor[]): void {
    super.validationStep(batch);
    this.log('plateau', 1);
  }

  override configureOptimizers(): OptimizerConfig {
    const optimizer = tf.train.sgd(BASE_LR);
    return { optimizer, lrScheduler: this.schedule(optimizer) };
  }
}

/** The lr each training step runs with. */
class LrRecorder extends Callback {
  readonly lrs: number[] = [];
  override onTrainBatchStart(trainer: Trainer): void {
    this.lrs.push(getLearningRate(trainer.optimizer!));
  }
}

const base = (extra: TrainerOptions): TrainerOptions => ({ ...quiet, accelerator: 'cpu', seed: 11, ...extra });

/** Trains 5 batches of 8 per epoch and returns the lr of every step. */
async function lrsOf(schedule: (optimizer: tf.Optimizer) => LrSchedulerConfig, options: TrainerOptions): Promise<number[]> {
  const recorder = new LrRecorder();
  const trainer = new Trainer(base({ ...options, callbacks: [recorder] }));
  const { train, val } = loaders(40, 16, 8);
  await trainer.fit(new Scheduled(schedule), train, val);
  return recorder.lrs;
}

const repeat = (value: number, times: number): number[] => Array<number>(times).fill(value);

describe('schedulers driven by the Trainer', () => {
  it("interval 'epoch' (the default) steps after each training epoch", async () => {
    const lrs = await lrsOf((o) => ({ scheduler: new StepLR(o, { stepSize: 2, gamma: 0.5 }) }), { maxEpochs: 4 });
    expect(lrs).toEqual([...repeat(BASE_LR, 10), ...repeat(BASE_LR * 0.5, 10)]);
  });

  it("interval 'step' with frequency 2 steps after every second optimizer step", async () => {
    const lrs = await lrsOf((o) => ({ scheduler: new ExponentialLR(o, { gamma: 0.5 }), interval: 'step', frequency: 2 }), { maxSteps: 6 });
    expect(lrs).toEqual([BASE_LR, BASE_LR, BASE_LR / 2, BASE_LR / 2, BASE_LR / 4, BASE_LR / 4]);
  });

  it('ReduceLROnPlateau receives the monitored metric at each epoch end', async () => {
    // 'plateau' is constant: epoch 0 sets the best, epochs 1 and 2 are bad, so epoch 3 runs at half the lr.
    const lrs = await lrsOf((o) => ({ scheduler: new ReduceLROnPlateau(o, { patience: 1, factor: 0.5 }), monitor: 'plateau' }), { maxEpochs: 4 });
    expect(lrs).toEqual([...repeat(BASE_LR, 15), ...repeat(BASE_LR / 2, 5)]);
  });

  it('a monitored metric that is never logged fails the run, naming it', async () => {
    const run = lrsOf((o) => ({ scheduler: new ReduceLROnPlateau(o), monitor: 'val_acc' }), { maxEpochs: 1 });
    await expect(run).rejects.toThrow(/lrScheduler monitors 'val_acc', which is not among the logged metrics/);
  });
});

describe('resume', () => {
  const schedules: [string, (optimizer: tf.Optimizer) => LrSchedulerConfig][] = [
    ['CosineAnnealingLR per step', (o) => ({ scheduler: new CosineAnnealingLR(o, { tMax: 7, etaMin: 0.001 }), interval: 'step' })],
    // A large threshold makes val_loss plateau quickly, so the lr is cut during the run.
    ['ReduceLROnPlateau on val_loss', (o) => ({ scheduler: new ReduceLROnPlateau(o, { patience: 0, threshold: 0.5, cooldown: 1 }), monitor: 'val_loss' })],
  ];

  describe.each(schedules)('%s', (_label, schedule) => {
    it.each([7, 10])('interrupted after step %i, it resumes with the same lr sequence and weights', async (stopAt) => {
      // The trainer is built first: it seeds the global stream the module's initialisers draw from.
      const options = { maxEpochs: 5 };
      const referenceRecorder = new LrRecorder();
      const referenceTrainer = new Trainer(base({ ...options, callbacks: [referenceRecorder] }));
      const referenceModule = new Scheduled(schedule);
      const reference = loaders(40, 16, 8);
      await referenceTrainer.fit(referenceModule, reference.train, reference.val);
      expect(new Set(referenceRecorder.lrs).size).toBeGreaterThan(2);

      const path = join(await mkdtemp(join(tmpdir(), 'cairn-sched-')), 'mid.ckpt');
      const firstRecorder = new LrRecorder();
      const firstTrainer = new Trainer(base({ ...options, callbacks: [new SaveAtSteps(new Set([stopAt]), () => path), new CrashAfterStep(stopAt), firstRecorder] }));
      const first = loaders(40, 16, 8);
      await expect(firstTrainer.fit(new Scheduled(schedule), first.train, first.val)).rejects.toThrow('simulated crash');

      const secondRecorder = new LrRecorder();
      const secondTrainer = new Trainer(base({ ...options, callbacks: [secondRecorder] }));
      const module = new Scheduled(schedule);
      const second = loaders(40, 16, 8);
      await secondTrainer.fit(module, second.train, second.val, { ckptPath: path });

      expect([...firstRecorder.lrs, ...secondRecorder.lrs]).toEqual(referenceRecorder.lrs);
      expect(weightValues(module)).toEqual(weightValues(referenceModule));
    });
  });
});
