import { mkdtemp, open, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { Callback, exportCheckpointToTfjs, readCheckpointMetadata, resetRandom, Trainer } from '../../src/index.js';
import { CheckpointFolder, CrashAfterStep, SaveAtSteps } from '../helpers/run-recorder.js';
import { tfjsFileLoader } from '../helpers/tfjs-file-loader.js';
import { loaders, quiet, TinyRegressor, weightValues } from '../helpers/tiny-module.js';

afterEach(() => resetRandom());

const tmp = (): Promise<string> => mkdtemp(join(tmpdir(), 'cairn-api-'));


async function trainWithSaves(dir: string, steps: number[], crashAfter?: number): Promise<Trainer> {
  const trainer = new Trainer({
    ...quiet,
    enableCheckpointing: true,
    accelerator: 'cpu',
    seed: 1,
    maxEpochs: 2,
    callbacks: [new CheckpointFolder(dir), new SaveAtSteps(new Set(steps), (s) => join(dir, `step-${s}.ckpt`)), ...(crashAfter ? [new CrashAfterStep(crashAfter)] : [])],
  });
  const { train, val } = loaders(40, 16, 8);
  const run = trainer.fit(new TinyRegressor(), train, val);
  if (crashAfter) await expect(run).rejects.toThrow('simulated crash');
  else await run;
  return trainer;
}

describe('resume API', () => {
  it("'last' resumes from the highest global step and falls back past a corrupt newest file", async () => {
    const dir = await tmp();
    await trainWithSaves(dir, [3, 6, 8], 8);
    const newest = join(dir, 'step-8.ckpt');
    const handle = await open(newest, 'r+');
    const { size } = await handle.stat();
    await handle.write(new Uint8Array([0xff]), 0, 1, size - 3); // flip a data byte
    await handle.close();

    const warnings: string[] = [];
    const trainer = new Trainer({ ...quiet, enableCheckpointing: true, print: (l) => warnings.push(l), accelerator: 'cpu', seed: 1, maxEpochs: 2, callbacks: [new CheckpointFolder(dir)] });
    const { train, val } = loaders(40, 16, 8);
    let startStep = -1;
    trainer.events.once('onTrainBatchStart', (t) => (startStep = t.globalStep));
    await trainer.fit(new TinyRegressor(), train, val, { ckptPath: 'last' });
    expect(trainer.ckptPath).toBe(join(dir, 'step-6.ckpt'));
    expect(startStep).toBe(6);
    expect(warnings.some((w) => w.includes(newest) && w.includes('checksum'))).toBe(true);
  });

  it("'last' with no checkpoint at all warns naming the folder and trains from scratch (Lightning); only corrupt files stay an error", async () => {
    const dir = await tmp();
    const warnings: string[] = [];
    const trainer = new Trainer({ ...quiet, enableCheckpointing: true, print: (l) => warnings.push(l), accelerator: 'cpu', maxEpochs: 1, callbacks: [new CheckpointFolder(dir)] });
    const result = await trainer.fit(new TinyRegressor(), loaders().train, undefined, { ckptPath: 'last' });
    expect(result.globalStep).toBe(5);
    expect(trainer.ckptPath).toBeUndefined();
    expect(warnings).toContainEqual(expect.stringContaining(`ckptPath 'last': no checkpoint found in ${dir}; training from scratch`));
    await writeFile(join(dir, 'broken.ckpt'), 'not a checkpoint');
    await expect(trainer.fit(new TinyRegressor(), loaders().train, undefined, { ckptPath: 'last' })).rejects.toThrow(/no valid checkpoint found in/);
  });

  it('a weights-only checkpoint loads for inference but refuses to resume', async () => {
    const dir = await tmp();
    const trainer = await trainWithSaves(dir, []);
    const path = join(dir, 'weights.ckpt');
    await trainer.saveCheckpoint(path, { weightsOnly: true });
    const metadata = await readCheckpointMetadata(path);
    expect(metadata['cairn.weights_only']).toBe('true');
    expect(metadata['cairn.optimizer']).toBeUndefined();
    const again = new Trainer({ ...quiet, accelerator: 'cpu' });
    await expect(again.fit(new TinyRegressor(), loaders().train, undefined, { ckptPath: path })).rejects.toThrow(/weights-only checkpoint: resuming needs a full checkpoint/);
    const restored = await TinyRegressor.loadFromCheckpoint(path);
    expect(weightValues(restored)).toEqual(weightValues(trainer.module!));
    expect(restored.hparams).toEqual(trainer.module!.hparams);
  });

  it('loadFromCheckpoint refuses weights that do not fit the module, naming them', async () => {
    const dir = await tmp();
    const trainer = await trainWithSaves(dir, []);
    const path = join(dir, 'full.ckpt');
    await trainer.saveCheckpoint(path);
    class Wider extends TinyRegressor {
      constructor() {
        super({ hidden: 9 });
      }
    }
    await expect(Wider.loadFromCheckpoint(path)).rejects.toThrow(/'net.0.kernel' is float32\[3,8\] in the checkpoint but float32\[3,9\] in the module/);
  });

  it('exports a checkpoint to TF.js format that tf.loadLayersModel opens from the files', async () => {
    const dir = await tmp();
    const trainer = await trainWithSaves(dir, []);
    const path = join(dir, 'model.ckpt');
    await trainer.saveCheckpoint(path);
    const out = join(dir, 'web');
    const { modelJson, weights } = await exportCheckpointToTfjs(TinyRegressor, path, out);
    expect([modelJson, weights]).toEqual([join(out, 'model.json'), join(out, 'weights.bin')]);
    expect((await readdir(out)).sort()).toEqual(['model.json', 'weights.bin']);
    // Loaded as a browser would: model.json, then the weight files its manifest names, relative to it.
    const model = await tf.loadLayersModel(tfjsFileLoader(modelJson));
    const x = tf.tensor2d([[0.1, 0.2, 0.3]]);
    const original = trainer.module as TinyRegressor;
    expect(Array.from((model.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from((original.net.predict(x) as tf.Tensor).dataSync()));
  });

  it('a failed background write makes fit reject, leaves no file under the final name, and keeps earlier checkpoints', async () => {
    const dir = await tmp();
    await writeFile(join(dir, 'blocker'), 'a file where a folder should be');
    class SaveInto extends Callback {
      override onTrainBatchEnd(trainer: Trainer): void {
        if (trainer.globalStep === 2) void trainer.saveCheckpoint(join(dir, 'good.ckpt'));
        if (trainer.globalStep === 4) void trainer.saveCheckpoint(join(dir, 'blocker', 'bad.ckpt'));
        if (trainer.globalStep === 6) void trainer.saveCheckpoint(join(dir, 'after.ckpt'));
      }
    }
    const trainer = new Trainer({ ...quiet, accelerator: 'cpu', maxEpochs: 2, callbacks: [new SaveInto()] });
    let lastStep = 0;
    trainer.events.on('onTrainBatchEnd', (t) => (lastStep = t.globalStep));
    await expect(trainer.fit(new TinyRegressor(), loaders().train)).rejects.toThrow(/blocker exists and is not a folder/);
    // The next save after the failure stops the run: it does not train on without checkpoints.
    expect(lastStep).toBe(6);
    expect(await readdir(dir)).toEqual(['blocker', 'good.ckpt']);
    expect((await readCheckpointMetadata(join(dir, 'good.ckpt')))['cairn.global_step']).toBe('2');
  });

  it('cleans up temp files a crash left in checkpoint folders at the next fit', async () => {
    const dir = await tmp();
    const { tempNameFor } = await import('../../src/checkpoint/file/atomic-write.js');
    const stale = join(dir, tempNameFor('epoch=3.ckpt'));
    await writeFile(stale, 'half a checkpoint');
    await writeFile(join(dir, 'notes.txt'), 'user file');
    const trainer = new Trainer({ ...quiet, enableCheckpointing: true, accelerator: 'cpu', maxEpochs: 1, callbacks: [new CheckpointFolder(dir)] });
    await trainer.fit(new TinyRegressor(), loaders().train);
    expect(await readdir(dir)).toEqual(['notes.txt']);
  });

  it('modules add JSON to checkpoint.extra and get it back on load', async () => {
    const dir = await tmp();
    let loaded: unknown;
    class WithExtra extends TinyRegressor {
      override onSaveCheckpoint(checkpoint: { extra: Record<string, unknown> }): void {
        checkpoint.extra.vocabulary = ['a', 'b'];
      }
      override onLoadCheckpoint(checkpoint: { extra: Record<string, unknown> }): void {
        loaded = checkpoint.extra.vocabulary;
      }
    }
    const trainer = new Trainer({ ...quiet, accelerator: 'cpu', maxEpochs: 1, callbacks: [new SaveAtSteps(new Set([2]), () => join(dir, 'x.ckpt'))] });
    await trainer.fit(new WithExtra(), loaders().train);
    await new Trainer({ ...quiet, accelerator: 'cpu', maxEpochs: 1 }).fit(new WithExtra(), loaders().train, undefined, { ckptPath: join(dir, 'x.ckpt') });
    expect(loaded).toEqual(['a', 'b']);
  });
});
