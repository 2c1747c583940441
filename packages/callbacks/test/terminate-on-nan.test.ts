import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { resetRandom } from '@cairn/core';
import { TerminateOnNaN } from '../src/terminate-on-nan.js';
import { loaders, testTrainer, TinyRegressor } from './helpers/tiny-module.js';

afterEach(() => resetRandom());

/** Its loss turns NaN from the 4th training step on. */
class Diverging extends TinyRegressor {
  override trainingStep(batch: tf.Tensor[]): tf.Scalar {
    const loss = super.trainingStep(batch);
    return this.globalStep >= 3 ? (loss.mul(Number.NaN) as tf.Scalar) : loss;
  }
}

/** Logs a NaN validation metric. */
class NaNValidation extends TinyRegressor {
  override validationStep(): void {
    this.log('val_acc', this.trainer!.sanityChecking ? 1 : Number.NaN);
  }
}

describe('TerminateOnNaN', () => {
  it('stops right after the step whose loss is NaN', async () => {
    const guard = new TerminateOnNaN({ print: () => undefined });
    const { train, val } = loaders();
    const result = await testTrainer({ maxEpochs: 5, callbacks: [guard] }).fit(new Diverging(), train, val);
    expect(result.stopReason).toBe('shouldStop');
    expect(result.globalStep).toBe(4);
    expect(result.epochs).toBe(1);
    expect(guard.detected).toEqual({ name: 'loss', value: Number.NaN, epoch: 0, globalStep: 4 });
  });

  it('raiseError makes fit fail with the value and where it appeared', async () => {
    const { train, val } = loaders();
    const fit = testTrainer({ maxEpochs: 5, callbacks: [new TerminateOnNaN({ raiseError: true })] }).fit(new Diverging(), train, val);
    await expect(fit).rejects.toThrow('TerminateOnNaN: loss = NaN at epoch 0, step 4; training aborted');
  });

  it('watches monitored metrics too (not during the sanity check)', async () => {
    const lines: string[] = [];
    const guard = new TerminateOnNaN({ monitor: ['val_acc'], print: (l) => lines.push(l) });
    const { train, val } = loaders();
    const result = await testTrainer({ maxEpochs: 5, callbacks: [guard] }).fit(new NaNValidation(), train, val);
    expect(result.epochs).toBe(1);
    expect(guard.detected?.name).toBe('val_acc');
    expect(lines).toEqual(['TerminateOnNaN: val_acc = NaN at epoch 0, step 5; signaling Trainer to stop.']);
  });

  it('leaves a healthy run alone and rejects a bad monitor list', async () => {
    const guard = new TerminateOnNaN({ monitor: ['val_loss'] });
    const { train, val } = loaders();
    const result = await testTrainer({ maxEpochs: 2, callbacks: [guard] }).fit(new TinyRegressor(), train, val);
    expect(result.stopReason).toBe('maxEpochs');
    expect(guard.detected).toBeUndefined();
    expect(() => new TerminateOnNaN({ monitor: 'val_loss' as unknown as string[] })).toThrow(/monitor/);
  });
});
