import { describe, expect, it } from 'vitest';
import { Callback, Trainer } from '../../src/index.js';
import { loaders, quiet, TinyRegressor } from '../helpers/tiny-module.js';

/** Records trainer.isRealTraining at the hooks where callbacks decide whether to save or count a check. */
class Recorder extends Callback {
  readonly seen: string[] = [];
  override onValidationEnd(trainer: Trainer): void {
    this.seen.push(`${trainer.sanityChecking ? 'sanity' : `${trainer.stage}-validation`}:${trainer.isRealTraining}`);
  }
  override onTrainBatchEnd(trainer: Trainer): void {
    if (trainer.globalStep === 1) this.seen.push(`train:${trainer.isRealTraining}`);
  }
}

describe('trainer.isRealTraining', () => {
  it('is true only while a fit trains for real: not in its sanity check, not in validate, not in a fast dev run', async () => {
    const data = loaders();
    const recorder = new Recorder();
    const trainer = new Trainer({ ...quiet, accelerator: 'cpu', maxEpochs: 1, numSanityValSteps: 1, callbacks: [recorder] });
    await trainer.fit(new TinyRegressor(), data.train, data.val);
    await trainer.validate(new TinyRegressor(), data.val);
    expect(recorder.seen).toEqual(['sanity:false', 'train:true', 'fit-validation:true', 'validate-validation:false']);
    expect(trainer.isRealTraining).toBe(false);

    const devRun = new Recorder();
    await new Trainer({ ...quiet, accelerator: 'cpu', fastDevRun: true, callbacks: [devRun] }).fit(new TinyRegressor(), data.train, data.val);
    expect(devRun.seen).toEqual(['train:false', 'fit-validation:false']);
  });
});
