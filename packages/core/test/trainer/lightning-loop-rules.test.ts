import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { Callback, loadCheckpoint, ModelCheckpoint, resetRandom, Trainer } from '../../src/index.js';
import { Recorder } from '../helpers/hook-recorder.js';
import { loaders, quiet, regressionData, TinyRegressor } from '../helpers/tiny-module.js';

afterEach(() => resetRandom());

const tmp = (): Promise<string> => mkdtemp(join(tmpdir(), 'cairn-loop-rules-'));
const disposeState = (state: Awaited<ReturnType<typeof loadCheckpoint>>): void => tf.dispose([...state.weights.values(), ...(state.optimizer?.weights ?? [])]);

/** 5 batches of 8 rows as an iterable without a length: each iteration is a fresh generator. */
function withoutLength(): Iterable<tf.Tensor[]> {
  const { x, y } = regressionData(40, 1);
  const batches = [0, 1, 2, 3, 4].map((i) => [x.slice(i * 8, 8), y.slice(i * 8, 8)]);
  return {
    *[Symbol.iterator]() {
      yield* batches;
    },
  };
}

class AskToStopEveryStep extends Callback {
  override onTrainBatchEnd(trainer: Trainer): void {
    trainer.shouldStop = true;
  }
}

describe('Lightning 2.6 loop rules (issue 13)', () => {
  it('an end-of-epoch checkpoint stores the epoch it belongs to; the resume position stays in progress', async () => {
    const dir = await tmp();
    const trainer = new Trainer({ enableProgressBar: false, print: () => undefined, accelerator: 'cpu', seed: 1, maxEpochs: 2, numSanityValSteps: 0, callbacks: [new ModelCheckpoint({ dirpath: dir, saveTopK: -1 })] });
    const { train } = loaders();
    await trainer.fit(new TinyRegressor(), train);
    const state = await loadCheckpoint(join(dir, 'epoch=0-step=5.ckpt'));
    disposeState(state);
    expect(state.epoch).toBe(0);
    expect(state.globalStep).toBe(5);
    expect(state.progress).toEqual({ epoch: 1, globalStep: 5, batchesDone: 0 });
  });

  it('enableCheckpointing: false next to a ModelCheckpoint in callbacks throws naming both', () => {
    expect(() => new Trainer({ enableCheckpointing: false, callbacks: [new ModelCheckpoint({ dirpath: tmpdir() })] })).toThrow(
      'Trainer: enableCheckpointing is false but callbacks hold a ModelCheckpoint; remove one of the two (as Lightning)',
    );
    // fastDevRun turns checkpointing off on its own: a smoke test of the user's real configuration is no error.
    expect(() => new Trainer({ fastDevRun: true, print: () => undefined, callbacks: [new ModelCheckpoint({ dirpath: tmpdir() })] })).not.toThrow();
  });

  it('resuming a checkpoint already past maxEpochs throws naming both', async () => {
    const dir = await tmp();
    const checkpoint = (): ModelCheckpoint => new ModelCheckpoint({ dirpath: dir, saveLast: true });
    await new Trainer({ ...quiet, enableCheckpointing: true, accelerator: 'cpu', seed: 1, maxEpochs: 3, callbacks: [checkpoint()] }).fit(new TinyRegressor(), loaders().train);
    const lower = new Trainer({ ...quiet, enableCheckpointing: true, accelerator: 'cpu', seed: 1, maxEpochs: 2, callbacks: [checkpoint()] });
    await expect(lower.fit(new TinyRegressor(), loaders().train, undefined, { ckptPath: 'last' })).rejects.toThrow(/resumes at epoch 3, past maxEpochs=2/);
    // The same maxEpochs: nothing left to train, which is not an error (Lightning's rule is "past").
    const same = new Trainer({ ...quiet, enableCheckpointing: true, accelerator: 'cpu', seed: 1, maxEpochs: 3, callbacks: [checkpoint()] });
    expect((await same.fit(new TinyRegressor(), loaders().train, undefined, { ckptPath: 'last' })).globalStep).toBe(15);
  });

  it('state saved for a callback the new trainer lacks is named in a warning', async () => {
    const dir = await tmp();
    await new Trainer({ ...quiet, enableCheckpointing: true, accelerator: 'cpu', seed: 1, maxEpochs: 1, callbacks: [new ModelCheckpoint({ dirpath: dir, saveLast: true }), new Recorder()] }).fit(new TinyRegressor(), loaders().train);
    const warnings: string[] = [];
    const trainer = new Trainer({ ...quiet, enableCheckpointing: true, print: (l) => warnings.push(l), accelerator: 'cpu', seed: 1, maxEpochs: 2, callbacks: [new ModelCheckpoint({ dirpath: dir, saveLast: true })] });
    await trainer.fit(new TinyRegressor(), loaders().train, undefined, { ckptPath: 'last' });
    expect(warnings).toContainEqual(expect.stringMatching(/holds state for callbacks this trainer does not have, which is not restored: 'Recorder'$/));
  });

  it('a training source without a length honours limitTrainBatches and validates at each epoch end', async () => {
    const { val } = loaders(40, 16, 8);
    const recorder = new Recorder();
    const trainer = new Trainer({ ...quiet, accelerator: 'cpu', maxEpochs: 2, numSanityValSteps: 0, limitTrainBatches: 3, callbacks: [recorder] });
    const source = withoutLength();
    const result = await trainer.fit(new TinyRegressor(), source, val);
    expect(result.globalStep).toBe(6);
    expect(recorder.calls.filter((c) => c === 'onValidationEnd')).toHaveLength(2);
    expect(result.metrics.val_loss).toEqual(expect.any(Number));

    // No limit: the epoch ends when the source is exhausted, and validation still follows.
    const unlimited = new Recorder();
    const whole = await new Trainer({ ...quiet, accelerator: 'cpu', maxEpochs: 1, numSanityValSteps: 0, callbacks: [unlimited] }).fit(new TinyRegressor(), source, val);
    expect(whole.globalStep).toBe(5);
    expect(unlimited.calls.indexOf('onValidationEnd')).toBeLessThan(unlimited.calls.indexOf('onTrainEpochEnd'));
    expect(unlimited.calls.filter((c) => c === 'onValidationEnd')).toHaveLength(1);
    // A fraction of an unknown length cannot be taken.
    await expect(new Trainer({ ...quiet, accelerator: 'cpu', limitTrainBatches: 0.5 }).fit(new TinyRegressor(), source)).rejects.toThrow(/limitTrainBatches=0.5 .* has no length/);
  });

  it('minSteps keeps training despite shouldStop until reached (with minEpochs), then stops', async () => {
    const { train } = loaders(40, 16, 8);
    const result = await new Trainer({ ...quiet, accelerator: 'cpu', maxEpochs: 10, minSteps: 7, callbacks: [new AskToStopEveryStep()] }).fit(new TinyRegressor(), train);
    expect(result.stopReason).toBe('shouldStop');
    expect(result.globalStep).toBe(7);
    const both = await new Trainer({ ...quiet, accelerator: 'cpu', maxEpochs: 10, minSteps: 3, minEpochs: 2, callbacks: [new AskToStopEveryStep()] }).fit(new TinyRegressor(), train);
    expect(both.globalStep).toBe(6);
    expect(() => new Trainer({ maxSteps: 5, minSteps: 6 })).toThrow(/'minSteps' must be at most maxSteps \(5\)/);
  });
});
