import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { CosineAnnealingLR, ExponentialLR, getLearningRate, LambdaLR, StepLR, type LrScheduler } from '../../../src/index.js';

/** The lr in force after construction and after each of `steps` steps; checks the optimizer agrees. */
function sequence(scheduler: LrScheduler, steps: number): number[] {
  const lrs = [scheduler.getLastLr()];
  for (let i = 0; i < steps; i++) {
    scheduler.step();
    lrs.push(scheduler.getLastLr());
    expect(getLearningRate(scheduler.optimizer)).toBe(scheduler.getLastLr());
  }
  return lrs;
}

function expectClose(actual: number[], expected: number[], digits = 12): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((value, i) => expect(value, `index ${i}`).toBeCloseTo(expected[i]!, digits));
}

describe('StepLR (lr = base * gamma^floor(epoch / stepSize))', () => {
  it('decays by gamma every stepSize steps', () => {
    const lrs = sequence(new StepLR(tf.train.sgd(0.1), { stepSize: 3, gamma: 0.5 }), 9);
    expectClose(lrs, [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.0125]);
  });

  it('defaults gamma to 0.1 and updates an Adam optimizer', () => {
    const optimizer = tf.train.adam(1);
    expectClose(sequence(new StepLR(optimizer, { stepSize: 1 }), 3), [1, 0.1, 0.01, 0.001]);
    expect(optimizer.getConfig().learningRate).toBeCloseTo(0.001, 12);
  });
});

describe('ExponentialLR (lr = base * gamma^epoch)', () => {
  it('multiplies by gamma at every step', () => {
    expectClose(sequence(new ExponentialLR(tf.train.sgd(1), { gamma: 0.9 }), 5), [1, 0.9, 0.81, 0.729, 0.6561, 0.59049]);
  });

  it('agrees with the chainable update (lr *= gamma) PyTorch uses, up to rounding', () => {
    const lrs = sequence(new ExponentialLR(tf.train.sgd(0.3), { gamma: 0.97 }), 200);
    let chained = 0.3;
    lrs.forEach((lr, epoch) => {
      if (epoch > 0) chained *= 0.97;
      expect(lr / chained).toBeCloseTo(1, 12);
    });
  });
});

describe('CosineAnnealingLR (lr = etaMin + (base - etaMin)(1 + cos(pi epoch / tMax)) / 2)', () => {
  it('follows half a cosine from base to etaMin in tMax steps, then climbs back', () => {
    const lrs = sequence(new CosineAnnealingLR(tf.train.sgd(0.1), { tMax: 4, etaMin: 0.01 }), 8);
    // (1 + cos(pi/4)) / 2 = 0.8535533905932737, (1 + cos(3pi/4)) / 2 = 0.14644660940672624
    const high = 0.01 + 0.09 * 0.8535533905932737;
    const low = 0.01 + 0.09 * 0.14644660940672624;
    expectClose(lrs, [0.1, high, 0.055, low, 0.01, low, 0.055, high, 0.1]);
  });

  it("matches PyTorch's recursive get_lr over two periods", () => {
    const [base, tMax, etaMin] = [0.2, 5, 0.001];
    const lrs = sequence(new CosineAnnealingLR(tf.train.sgd(base), { tMax, etaMin }), 20);
    // torch.optim.lr_scheduler.CosineAnnealingLR.get_lr, transcribed.
    let lr = base;
    for (let epoch = 1; epoch <= 20; epoch++) {
      if ((epoch - 1 - tMax) % (2 * tMax) === 0) lr = lr + ((base - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2;
      else lr = ((1 + Math.cos((Math.PI * epoch) / tMax)) / (1 + Math.cos((Math.PI * (epoch - 1)) / tMax))) * (lr - etaMin) + etaMin;
      expect(lrs[epoch], `epoch ${epoch}`).toBeCloseTo(lr, 12);
    }
  });

  it('defaults etaMin to 0', () => {
    expectClose(sequence(new CosineAnnealingLR(tf.train.sgd(1), { tMax: 2 }), 2), [1, 0.5, 0]);
  });
});

describe('LambdaLR (lr = base * lrLambda(epoch))', () => {
  it('applies lrLambda(0) at construction (linear warm-up)', () => {
    const optimizer = tf.train.sgd(0.3);
    const scheduler = new LambdaLR(optimizer, { lrLambda: (epoch) => Math.min(1, (epoch + 1) / 3) });
    expect(getLearningRate(optimizer)).toBeCloseTo(0.1, 12);
    expectClose(sequence(scheduler, 4), [0.1, 0.2, 0.3, 0.3, 0.3]);
  });

  it('rejects a factor that is not a finite number >= 0, naming the epoch', () => {
    const scheduler = new LambdaLR(tf.train.sgd(1), { lrLambda: (epoch) => (epoch === 2 ? Number.NaN : 1) });
    scheduler.step();
    expect(() => scheduler.step()).toThrow('LambdaLR: lrLambda(2) must return a finite number >= 0, got NaN');
  });
});
