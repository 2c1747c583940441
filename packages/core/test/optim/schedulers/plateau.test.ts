import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from '../../../src/index.js';

/** Feeds a recorded metric sequence and returns the lr in force after each step. */
function decisions(metrics: number[], options: ReduceLROnPlateauOptions, lr = 1): number[] {
  const scheduler = new ReduceLROnPlateau(tf.train.sgd(lr), options);
  return metrics.map((metric) => {
    scheduler.step(metric);
    return scheduler.getLastLr();
  });
}

// Expected sequences written from PyTorch's rules: a step is bad unless the metric beats the best
// by the threshold; the lr is cut when bad steps exceed `patience`; a cooldown zeroes the count.
describe('ReduceLROnPlateau decisions', () => {
  it('cuts the lr after patience + 1 bad steps, counting from the last improvement', () => {
    expect(decisions([10, 9, 9, 9, 9, 8, 8, 8, 8], { factor: 0.5, patience: 2, threshold: 0 })).toEqual([1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25]);
  });

  it('ignores bad steps during cooldown', () => {
    expect(decisions([5, 5, 5, 5, 5, 5, 5, 5], { patience: 1, cooldown: 2 })).toEqual([1, 1, 0.1, 0.1, 0.1, 0.1, 0.1 * 0.1, 0.1 * 0.1]);
  });

  it('never goes below minLr and skips changes smaller than eps', () => {
    const lrs = decisions([1, 1, 1, 1, 1, 1], { patience: 0, minLr: 0.005 });
    expect(lrs.slice(0, 3)).toEqual([1, 0.1, 0.1 * 0.1]);
    expect(lrs.slice(3)).toEqual([0.005, 0.005, 0.005]);
    expect(decisions([1, 1, 1], { patience: 0, factor: 0.5, eps: 1e-7 }, 1e-7)).toEqual([1e-7, 1e-7, 1e-7]);
  });

  it("threshold 'rel' scales the best value, 'abs' shifts it", () => {
    const metrics = [10, 9.5, 9.05];
    // rel: 9.5 must beat 10 * 0.9 = 9: bad; 9.05 must beat 9: bad. abs: 9.5 < 9.9, 9.05 < 9.4: both improve.
    expect(decisions(metrics, { patience: 0, factor: 0.5, threshold: 0.1, thresholdMode: 'rel' })).toEqual([1, 0.5, 0.25]);
    expect(decisions(metrics, { patience: 0, factor: 0.5, threshold: 0.1, thresholdMode: 'abs' })).toEqual([1, 1, 1]);
  });

  it("mode 'max' wants the metric to go up", () => {
    // 0.605 does not beat 0.6 * 1.01 = 0.606; 0.7 does; then two bad steps exceed patience 1.
    expect(decisions([0.5, 0.6, 0.605, 0.7, 0.69, 0.69], { mode: 'max', factor: 0.5, patience: 1, threshold: 0.01 })).toEqual([1, 1, 1, 1, 1, 0.5]);
    expect(decisions([3, 2, 1], { mode: 'max', patience: 0 })).toEqual([1, 0.1, 0.1 * 0.1]);
  });

  it("gives Keras's decisions through the documented map", () => {
    // Keras patience=2, min_delta=0.5, cooldown=2, factor=0.5 on a flat metric: cut at epochs 3 and
    // 6 (wait reaches patience; the cooldown skips epoch 4, counts again from epoch 5).
    const keras = { patience: 2 - 1, threshold: 0.5, thresholdMode: 'abs', cooldown: 2 - 1, factor: 0.5 } as const;
    expect(decisions([5, 5, 5, 5, 5, 5, 5, 5], keras)).toEqual([1, 1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25]);
  });

  it('counts NaN as a bad step', () => {
    const scheduler = new ReduceLROnPlateau(tf.train.sgd(1), { patience: 0 });
    scheduler.step(1);
    scheduler.step(Number.NaN);
    expect(scheduler.getLastLr()).toBeCloseTo(0.1, 15);
    expect(scheduler.best).toBe(1);
  });

  it('keeps best, the bad-step count and the cooldown visible', () => {
    const scheduler = new ReduceLROnPlateau(tf.train.sgd(1), { patience: 1, cooldown: 3 });
    expect(scheduler.best).toBe(Infinity);
    for (const metric of [2, 3, 3]) scheduler.step(metric);
    expect({ best: scheduler.best, bad: scheduler.numBadEpochs, cooldown: scheduler.cooldownCounter, inCooldown: scheduler.inCooldown }).toEqual({ best: 2, bad: 0, cooldown: 3, inCooldown: true });
    expect(scheduler.lastEpoch).toBe(3);
  });

  it('prints each reduction when verbose', () => {
    const lines: string[] = [];
    decisions([1, 1, 1], { patience: 1, factor: 0.5, verbose: true, print: (line) => lines.push(line) });
    expect(lines).toEqual(['ReduceLROnPlateau: step 3: reducing learning rate to 5.0000e-1']);
  });

  it('asks for the monitored metric when stepped without one', () => {
    expect(() => new ReduceLROnPlateau(tf.train.sgd(1)).step()).toThrow(/needs the monitored metric.*set 'monitor'/);
  });
});
