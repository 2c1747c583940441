import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { CosineAnnealingLR, ExponentialLR, getLearningRate, LambdaLR, ReduceLROnPlateau, StepLR, type LrScheduler } from '../../../src/index.js';
import { decodeJson, encodeJson } from '../../../src/checkpoint/json-codec.js';

const sgd = (): tf.Optimizer => tf.train.sgd(0.1);
type Build = () => unknown;

describe('option checks name the option', () => {
  it.each<[string, Build, string | RegExp]>([
    ['StepLR without stepSize', () => new StepLR(sgd(), {} as never), "StepLR: option 'stepSize' is required"],
    ['StepLR stepSize 0', () => new StepLR(sgd(), { stepSize: 0 }), "StepLR: option 'stepSize' must be a positive integer, got 0"],
    ['StepLR stepSize 1.5', () => new StepLR(sgd(), { stepSize: 1.5 }), "option 'stepSize' must be a positive integer"],
    ['StepLR gamma 0', () => new StepLR(sgd(), { stepSize: 1, gamma: 0 }), "StepLR: option 'gamma' must be a finite number > 0, got 0"],
    ['a PyTorch spelling', () => new StepLR(sgd(), { step_size: 2 } as never), "StepLR: unknown option 'step_size'; the options are stepSize, gamma"],
    ['ExponentialLR without gamma', () => new ExponentialLR(sgd(), {} as never), "ExponentialLR: option 'gamma' is required"],
    ['ExponentialLR gamma NaN', () => new ExponentialLR(sgd(), { gamma: Number.NaN }), "option 'gamma' must be a finite number > 0"],
    ['CosineAnnealingLR tMax 0', () => new CosineAnnealingLR(sgd(), { tMax: 0 }), "CosineAnnealingLR: option 'tMax' must be a positive integer"],
    ['CosineAnnealingLR etaMin < 0', () => new CosineAnnealingLR(sgd(), { tMax: 3, etaMin: -1 }), "option 'etaMin' must be a finite number >= 0"],
    ['LambdaLR lrLambda not a function', () => new LambdaLR(sgd(), { lrLambda: 0.5 as never }), "LambdaLR: option 'lrLambda' must be a function (epoch) => factor, got 0.5"],
    ['plateau factor 1', () => new ReduceLROnPlateau(sgd(), { factor: 1 }), "ReduceLROnPlateau: option 'factor' must be a finite number >= 0 and < 1, got 1"],
    ['plateau mode', () => new ReduceLROnPlateau(sgd(), { mode: 'lower' as never }), "option 'mode' must be one of 'min', 'max'"],
    ['plateau thresholdMode', () => new ReduceLROnPlateau(sgd(), { thresholdMode: 'relative' as never }), "option 'thresholdMode' must be one of 'rel', 'abs'"],
    ['plateau patience -1', () => new ReduceLROnPlateau(sgd(), { patience: -1 }), "option 'patience' must be a non-negative integer"],
    ['plateau cooldown 0.5', () => new ReduceLROnPlateau(sgd(), { cooldown: 0.5 }), "option 'cooldown' must be a non-negative integer"],
    ['plateau minLr', () => new ReduceLROnPlateau(sgd(), { minLr: -0.1 }), "option 'minLr' must be a finite number >= 0"],
    ['plateau Keras min_lr', () => new ReduceLROnPlateau(sgd(), { min_lr: 0.1 } as never), "unknown option 'min_lr'"],
    ['plateau verbose', () => new ReduceLROnPlateau(sgd(), { verbose: 1 as never }), "option 'verbose' must be a boolean"],
    ['not an optimizer', () => new StepLR({} as never, { stepSize: 1 }), 'StepLR: the first argument must be a tf.Optimizer'],
  ])('%s', (_label, build, message) => {
    expect(build).toThrow(message);
  });
});

/** Two schedulers of the same kind on fresh optimizers, one stepped `before` times. */
interface Case {
  name: string;
  build: (optimizer: tf.Optimizer) => LrScheduler;
  metrics?: number[];
}

const cases: Case[] = [
  { name: 'StepLR', build: (o) => new StepLR(o, { stepSize: 2, gamma: 0.5 }) },
  { name: 'ExponentialLR', build: (o) => new ExponentialLR(o, { gamma: 0.8 }) },
  { name: 'CosineAnnealingLR', build: (o) => new CosineAnnealingLR(o, { tMax: 5, etaMin: 0.001 }) },
  { name: 'LambdaLR', build: (o) => new LambdaLR(o, { lrLambda: (e) => 1 / (e + 1) }) },
  { name: 'ReduceLROnPlateau', build: (o) => new ReduceLROnPlateau(o, { patience: 1, cooldown: 1, factor: 0.5 }), metrics: [5, 4, 4, 4, 4, 3, 3, 3, 3, 3] },
];

describe.each(cases)('$name state round trip', ({ build, metrics }) => {
  const metricAt = (i: number): number | undefined => metrics?.[i];

  it('a restored scheduler puts the lr back and continues with the same sequence', () => {
    const original = build(tf.train.adam(0.1));
    for (let i = 0; i < 4; i++) original.step(metricAt(i));
    // Through the checkpoint's JSON codec: ReduceLROnPlateau's best may be Infinity.
    const saved = decodeJson(encodeJson(original.stateDict())) as Record<string, unknown>;

    const optimizer = tf.train.adam(0.1);
    const restored = build(optimizer);
    restored.loadStateDict(saved);
    expect(restored.getLastLr()).toBe(original.getLastLr());
    expect(getLearningRate(optimizer)).toBe(original.getLastLr());
    for (let i = 4; i < 10; i++) {
      original.step(metricAt(i));
      restored.step(metricAt(i));
      expect(restored.getLastLr(), `step ${i + 1}`).toBe(original.getLastLr());
    }
    expect(restored.stateDict()).toEqual(original.stateDict());
  });

  it('refuses a state from another scheduler class or with a bad field', () => {
    const scheduler = build(sgd());
    const foreign = new ExponentialLR(sgd(), { gamma: 0.5 }).stateDict();
    if (scheduler instanceof ExponentialLR) foreign.scheduler = 'StepLR';
    expect(() => scheduler.loadStateDict(foreign)).toThrow(/loadStateDict: state field 'scheduler' must be/);
    expect(() => scheduler.loadStateDict({ ...scheduler.stateDict(), lastEpoch: -1 })).toThrow(/state field 'lastEpoch' must be a non-negative integer/);
  });
});

it('a fresh ReduceLROnPlateau state keeps best = Infinity through the checkpoint codec', () => {
  const scheduler = new ReduceLROnPlateau(sgd());
  const restored = new ReduceLROnPlateau(sgd());
  restored.loadStateDict(decodeJson(encodeJson(scheduler.stateDict())) as Record<string, unknown>);
  expect(restored.best).toBe(Infinity);
  expect(() => restored.loadStateDict({ ...scheduler.stateDict(), best: null })).toThrow("state field 'best' must be a number");
});
