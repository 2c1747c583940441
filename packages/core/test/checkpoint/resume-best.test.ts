import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { ModelCheckpoint, resetRandom, Trainer } from '../../src/index.js';
import { CheckpointFolder } from '../helpers/run-recorder.js';
import { loaders, quiet, TinyRegressor } from '../helpers/tiny-module.js';

afterEach(() => resetRandom());

const tmp = (prefix: string): Promise<string> => mkdtemp(join(tmpdir(), prefix));

// One validation score per epoch: the best (lowest) is epoch 1, not the newest (epoch 2), so
// resuming from 'best' and from 'last' start at different steps.
const SCORES = [0.5, 0.1, 0.3];
const STEPS_PER_EPOCH = 5; // loaders(): 40 samples in batches of 8

class ScriptedScore extends TinyRegressor {
  override validationStep(batch: tf.Tensor[]): void {
    super.validationStep(batch);
    this.log('val_score', SCORES[this.trainer!.currentEpoch]!);
  }
}

const checkpointIn = (dir: string): ModelCheckpoint => new ModelCheckpoint({ dirpath: dir, monitor: 'val_score', mode: 'min', saveTopK: -1, filename: '{epoch}' });
const trainerWith = (checkpoint: ModelCheckpoint): Trainer => new Trainer({ ...quiet, enableCheckpointing: true, accelerator: 'cpu', seed: 1, maxEpochs: SCORES.length, callbacks: [checkpoint] });

/** Resumes `trainer` with ckptPath 'best' and returns the global step its first batch starts at. */
async function resumeBest(trainer: Trainer): Promise<number> {
  let startStep = -1;
  trainer.events.once('onTrainBatchStart', (t) => (startStep = t.globalStep));
  const { train, val } = loaders();
  await trainer.fit(new ScriptedScore(), train, val, { ckptPath: 'best' });
  return startStep;
}

describe("ckptPath 'best'", () => {
  it("resumes from the ModelCheckpoint's bestModelPath it holds in memory", async () => {
    const dir = await tmp('cairn-best-');
    const checkpoint = checkpointIn(dir);
    const trainer = trainerWith(checkpoint);
    const { train, val } = loaders();
    const first = await trainer.fit(new ScriptedScore(), train, val);
    const best = join(dir, 'epoch=1.ckpt');
    expect(first.bestModelPath).toBe(best);
    expect(checkpoint.bestModelPath).toBe(best);

    // A newer checkpoint from another run, without this callback's state, in the same folder:
    // 'best' must take the path the callback holds, not look it up in the newest file.
    const other = new Trainer({ ...quiet, enableCheckpointing: true, accelerator: 'cpu', seed: 2, maxEpochs: SCORES.length + 1, callbacks: [new CheckpointFolder(await tmp('cairn-other-'))] });
    await other.fit(new TinyRegressor(), loaders().train);
    await other.saveCheckpoint(join(dir, 'other-run.ckpt'));

    expect(await resumeBest(trainer)).toBe(2 * STEPS_PER_EPOCH);
    expect(trainer.ckptPath).toBe(best);
  });

  it('in a fresh trainer, reads the best path recorded in the newest checkpoint', async () => {
    const dir = await tmp('cairn-best-');
    const { train, val } = loaders();
    await trainerWith(checkpointIn(dir)).fit(new ScriptedScore(), train, val);

    const checkpoint = checkpointIn(dir);
    expect(checkpoint.bestModelPath).toBe('');
    const fresh = trainerWith(checkpoint);
    expect(await resumeBest(fresh)).toBe(2 * STEPS_PER_EPOCH);
    expect(fresh.ckptPath).toBe(join(dir, 'epoch=1.ckpt'));
    // The restored callback state agrees: epoch 1 is still the best after the resumed epoch.
    expect(checkpoint.bestModelPath).toBe(join(dir, 'epoch=1.ckpt'));
  });
});
