import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProgressBar, Trainer, type TrainerOptions } from '../../src/index.js';
import { loaders, quiet, TinyRegressor } from '../helpers/tiny-module.js';

describe('Trainer and fit argument validation', () => {
  it.each<[string, unknown, RegExp]>([
    ['a typo in an option name', { maxEpoch: 3 }, /unknown option 'maxEpoch'; the options are maxEpochs/],
    ['a logger that is not a Logger', { logger: 5 }, /option 'logger' must be a logger \(or false\), got number 5; a logger has logMetrics\(metrics, step\)/],
    ['an array of loggers with a bad entry', { logger: [{ logMetrics: () => undefined }, {}] }, /logger\[1\] must be a logger \(or false\), got an empty object/],
    ['callbacks that are not Callbacks', { callbacks: [5] }, /callbacks\[0\] must be a Callback or a logger, got number 5/],
    ['NaN for an integer option', { maxEpochs: Number.NaN }, /option 'maxEpochs' must be an integer >= -1, got NaN/],
  ])('refuses %s at construction', (_label, options, message) => {
    expect(() => new Trainer(options as TrainerOptions)).toThrow(message);
  });

  it('adds a ProgressBar only when enabled and none is given', () => {
    expect(new Trainer({ accelerator: 'cpu' }).callbacks.some((c) => c instanceof ProgressBar)).toBe(true);
    expect(new Trainer({ accelerator: 'cpu', enableProgressBar: false }).callbacks.some((c) => c instanceof ProgressBar)).toBe(false);
    const mine = new ProgressBar();
    expect(new Trainer({ accelerator: 'cpu', callbacks: [mine] }).callbacks.filter((c) => c instanceof ProgressBar)).toEqual([mine]);
  });

  it('adds a default ModelCheckpoint under defaultRootDir/checkpoints that saves each epoch', async () => {
    const root = await mkdtemp(join(tmpdir(), 'cairn-default-'));
    const trainer = new Trainer({ accelerator: 'cpu', enableProgressBar: false, print: () => undefined, maxEpochs: 2, defaultRootDir: root });
    const result = await trainer.fit(new TinyRegressor(), loaders().train);
    expect(trainer.checkpointCallbacks).toHaveLength(1);
    expect(result.checkpointingFiles.map((f) => f.slice(root.length))).toEqual(['/checkpoints/epoch=0-step=5.ckpt', '/checkpoints/epoch=1-step=10.ckpt']);
    expect(result.bestModelPath).toBe(join(root, 'checkpoints', 'epoch=1-step=10.ckpt'));
  });

  it.each<[string, unknown, RegExp]>([
    ["ckptPath ''", { ckptPath: '' }, /fit: ckptPath must be a checkpoint file path, 'last' or 'best', got ""/],
    ['ckptPath as a number', { ckptPath: 5 }, /fit: ckptPath must be/],
    ['options null', null, /fit: options must be an object/],
  ])('fit refuses %s', async (_label, options, message) => {
    const trainer = new Trainer({ ...quiet, accelerator: 'cpu', maxSteps: 1 });
    await expect(trainer.fit(new TinyRegressor(), loaders().train, undefined, options as never)).rejects.toThrow(message);
  });

  it('fit refuses a string as training data and a module that is not a LightningModule', async () => {
    const trainer = new Trainer({ ...quiet, accelerator: 'cpu', maxSteps: 1 });
    await expect(trainer.fit(new TinyRegressor(), 'batches' as never)).rejects.toThrow(/fit: trainData must be a DataLoader or an \(async\) iterable of batches/);
    await expect(trainer.fit({} as never, loaders().train)).rejects.toThrow(/fit: module must be a LightningModule instance, got an empty object/);
  });

  it('saveCheckpoint refuses a weightsOnly that is not a boolean', async () => {
    const trainer = new Trainer({ ...quiet, accelerator: 'cpu', maxSteps: 1 });
    await expect(trainer.saveCheckpoint('x.ckpt', { weightsOnly: 'yes' as never })).rejects.toThrow(/weightsOnly must be a boolean, got "yes"/);
  });
});

describe('ckptPath pointing at a folder', () => {
  it('is refused with a message saying what to give', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-folder-'));
    const trainer = new Trainer({ ...quiet, accelerator: 'cpu', maxSteps: 1 });
    await expect(trainer.fit(new TinyRegressor(), loaders().train, undefined, { ckptPath: dir })).rejects.toThrow(/is a folder: give a checkpoint file, 'last' or 'best'/);
  });
});
