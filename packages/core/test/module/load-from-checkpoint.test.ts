import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { getRandomState, initialValue, LightningModule, resetRandom, seedEverything, Trainer, type OptimizerConfig } from '../../src/index.js';
import { withoutRandomInit } from '../../src/module/skip-initializers.js';
import { loaders, quiet, TinyRegressor, weightValues } from '../helpers/tiny-module.js';

const folders: string[] = [];
afterEach(async () => {
  resetRandom();
  for (const dir of folders.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function trainedCheckpoint(): Promise<{ path: string; trainer: Trainer }> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-lfc-'));
  folders.push(dir);
  const trainer = new Trainer({ ...quiet, accelerator: 'cpu', seed: 4, maxEpochs: 1, enableCheckpointing: false });
  await trainer.fit(new TinyRegressor(), loaders().train);
  const path = join(dir, 'trained.ckpt');
  await trainer.saveCheckpoint(path);
  return { path, trainer };
}

describe('LightningModule.loadFromCheckpoint builds without random initial values', () => {
  it("gives the checkpoint's weights and leaves the seeded random stream where it was", async () => {
    const { path, trainer } = await trainedCheckpoint();
    seedEverything(11);
    Math.random();
    const before = getRandomState();
    const loaded = await TinyRegressor.loadFromCheckpoint(path);
    // The initializers (glorotUniform draws from Math.random) never ran.
    expect(getRandomState()).toEqual(before);
    expect(weightValues(loaded)).toEqual(weightValues(trainer.module!));
  });

  it('leaves layers built afterwards, or outside, with their random initializers', async () => {
    seedEverything(5);
    const built = withoutRandomInit(() => tf.layers.dense({ units: 4, inputShape: [3] }));
    built.apply(tf.zeros([1, 3]));
    // Built after the window closed: random as usual.
    expect(Array.from(built.getWeights()[0]!.dataSync()).some((v) => v !== 0)).toBe(true);
    const inside = withoutRandomInit(() => tf.sequential({ layers: [tf.layers.dense({ units: 4, inputShape: [3] })] }));
    expect(Array.from(inside.getWeights()[0]!.dataSync())).toEqual(new Array(12).fill(0));
    const after = tf.sequential({ layers: [tf.layers.dense({ units: 4, inputShape: [3] })] });
    expect(Array.from(after.getWeights()[0]!.dataSync()).some((v) => v !== 0)).toBe(true);
  });

  it('initialValue gives zeros while loadFromCheckpoint constructs, make() otherwise', async () => {
    let made = 0;
    class HandMade extends LightningModule<tf.Tensor> {
      readonly w = tf.variable(initialValue([2, 3], () => {
        made += 1;
        return tf.randomNormal([2, 3]);
      }));
      trainingStep(x: tf.Tensor): tf.Scalar {
        return tf.sum(tf.matMul(x, this.w));
      }
      configureOptimizers(): OptimizerConfig {
        return tf.train.sgd(0.1);
      }
    }
    const dir = await mkdtemp(join(tmpdir(), 'cairn-lfc-'));
    folders.push(dir);
    const trainer = new Trainer({ ...quiet, accelerator: 'cpu', maxEpochs: 1 });
    await trainer.fit(new HandMade(), [tf.ones([1, 2])]);
    expect(made).toBe(1);
    const path = join(dir, 'hand.ckpt');
    await trainer.saveCheckpoint(path);
    const loaded = await HandMade.loadFromCheckpoint(path);
    expect(made).toBe(1);
    expect(loaded.w.arraySync()).toEqual((trainer.module as HandMade).w.arraySync());
    expect(initialValue([1], () => tf.scalar(7).reshape([1])).arraySync()).toEqual([7]);
  });

  it('restores addWeight when the constructor throws', () => {
    const prototype = tf.layers.Layer.prototype as unknown as { addWeight: unknown };
    const original = prototype.addWeight;
    expect(() => withoutRandomInit(() => {
      throw new Error('bad hparams');
    })).toThrow('bad hparams');
    expect(prototype.addWeight).toBe(original);
  });
});
