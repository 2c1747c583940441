import * as tf from '@tensorflow/tfjs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Callback, resetRandom, type Trainer } from '@cairn/core';
import { EarlyStopping } from '../src/early-stopping/early-stopping.js';
import { CrashAfterStep, loaders, SaveAtStep, testTrainer, TinyRegressor } from './helpers/tiny-module.js';

afterEach(() => resetRandom());

/** Logs a scripted val_loss per epoch (the sanity check logs 99), so decisions are known in advance. */
class Scripted extends TinyRegressor {
  constructor(private readonly script: number[]) {
    super();
  }
  override validationStep(_batch: tf.Tensor[]): void {
    this.log('val_loss', this.trainer!.sanityChecking ? 99 : this.script[this.currentEpoch]!);
  }
}

const weightsOf = (module: TinyRegressor): number[][] => module.namedWeights().map((w) => Array.from(w.variable.dataSync()));

describe('EarlyStopping in a real fit', () => {
  it('stops at the epoch its rules give; the sanity check does not count', async () => {
    const early = new EarlyStopping({ monitor: 'val_loss', patience: 2 });
    const { train, val } = loaders();
    const result = await testTrainer({ maxEpochs: 20, callbacks: [early] }).fit(new Scripted([1, 0.9, 0.95, 0.96, 0.5]), train, val);
    expect(result.stopReason).toBe('shouldStop');
    expect(early.stoppedEpoch).toBe(3);
    expect(result.epochs).toBe(4);
    expect(early.bestScore).toBe(0.9);
    expect(early.stoppingReason).toBe('patience_exhausted');
  });

  it('checks after each validation when validation runs twice an epoch', async () => {
    const early = new EarlyStopping({ monitor: 'val_loss', patience: 1 });
    class TwicePerEpoch extends TinyRegressor {
      private calls = 0;
      override validationStep(): void {
        this.log('val_loss', this.trainer!.sanityChecking ? 0 : [1, 2, 3, 4][this.calls++ >> 1]!);
      }
    }
    const { train, val } = loaders();
    const trainer = testTrainer({ maxEpochs: 20, valCheckInterval: 0.5, numSanityValSteps: 0, callbacks: [early] });
    const result = await trainer.fit(new TwicePerEpoch(), train, val);
    // Two validation batches per run: runs log 1, 2 -> the second run of epoch 0 is the first non-improvement.
    expect(result.epochs).toBe(1);
    expect(early.waitCount).toBe(1);
  });

  it('honours minEpochs', async () => {
    const early = new EarlyStopping({ monitor: 'val_loss', patience: 0 });
    const { train, val } = loaders();
    const result = await testTrainer({ maxEpochs: 20, minEpochs: 4, callbacks: [early] }).fit(new Scripted([1, 2, 3, 4, 5, 6, 7]), train, val);
    expect(result.epochs).toBe(4);
  });

  it('reused for a second fit keeps its counters (Lightning) but never restores a weight copy of the first fit', async () => {
    const early = new EarlyStopping({ monitor: 'val_loss', patience: 5, restoreBestWeights: true });
    const { train, val } = loaders();
    const first = new Scripted([0.1, 0.5, 0.5]);
    await testTrainer({ maxEpochs: 3, callbacks: [early] }).fit(first, train, val);
    expect([early.bestScore, early.bestEpoch]).toEqual([0.1, 0]);
    // The second fit never beats 0.1: it has no best of its own, so its final weights must stay.
    const second = new Scripted([0.9, 0.8, 0.7]);
    const firstWeights = weightsOf(first);
    await testTrainer({ maxEpochs: 3, callbacks: [early] }).fit(second, train, val);
    expect(early.bestScore).toBe(0.1);
    expect(early.waitCount).toBe(5);
    const secondWeights = weightsOf(second);
    // Same architecture and weight names: a stale copy would have been assigned without complaint.
    expect(secondWeights).not.toEqual(firstWeights);
  });

  it('restoreBestWeights puts back the weights of the best epoch at the end', async () => {
    const early = new EarlyStopping({ monitor: 'val_loss', patience: 2, restoreBestWeights: true });
    const atEpochEnd: number[][][] = [];
    class Probe extends Callback {
      override onTrainEpochEnd(_trainer: Trainer, module: TinyRegressor): void {
        atEpochEnd.push(weightsOf(module));
      }
    }
    const module = new Scripted([1, 0.5, 0.7, 0.8, 0.1]);
    const { train, val } = loaders();
    await testTrainer({ maxEpochs: 20, callbacks: [new Probe(), early] }).fit(module, train, val);
    expect(atEpochEnd).toHaveLength(4);
    expect(atEpochEnd[3]).not.toEqual(atEpochEnd[1]);
    expect(weightsOf(module)).toEqual(atEpochEnd[1]);
  });

  it('restoreBestWeights frees its copies when the fit ends', async () => {
    const tensorsLeftBy = async (callbacks: Callback[]): Promise<number> => {
      const module = new Scripted([1, 0.5, 0.7, 0.8, 0.1]);
      const { train, val } = loaders();
      const before = tf.memory().numTensors;
      await testTrainer({ maxEpochs: 20, callbacks }).fit(module, train, val);
      return tf.memory().numTensors - before;
    };
    const plain = await tensorsLeftBy([new EarlyStopping({ monitor: 'val_loss', patience: 2 })]);
    expect(await tensorsLeftBy([new EarlyStopping({ monitor: 'val_loss', patience: 2, restoreBestWeights: true })])).toBe(plain);
  });

  it('a resumed run stops at the same epoch as an uninterrupted one', async () => {
    // Checks: 1 (best), 0.5 (best), 0.6, 0.7, 0.8 -> patience 3 exhausted at epoch 4. A run that
    // lost the callback's state would take 0.7 as a new best and go on to epoch 6.
    const script = [1, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1];
    const fit = async (callbacks: Callback[], ckptPath?: string) => {
      const early = new EarlyStopping({ monitor: 'val_loss', patience: 3 });
      const { train, val } = loaders();
      const result = await testTrainer({ maxEpochs: 20, callbacks: [early, ...callbacks] }).fit(new Scripted(script), train, val, { ckptPath });
      return { result, early };
    };
    const reference = await fit([]);
    expect(reference.early.stoppedEpoch).toBe(4);

    const path = join(await mkdtemp(join(tmpdir(), 'cairn-es-')), 'step-17.ckpt');
    await expect(fit([new SaveAtStep(17, path), new CrashAfterStep(19)])).rejects.toThrow('simulated crash');
    const resumed = await fit([], path);
    expect(resumed.early.stoppedEpoch).toBe(4);
    expect(resumed.result.epochs).toBe(reference.result.epochs);
    expect(resumed.result.globalStep).toBe(reference.result.globalStep);
    expect(resumed.early.stateDict()).toEqual(reference.early.stateDict());
  });
});
