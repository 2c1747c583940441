import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Callback, ModelCheckpoint, resetRandom, Trainer } from '../../src/index.js';
import { CrashAfterStep, SaveAtSteps } from '../helpers/run-recorder.js';
import { loaders, TinyRegressor } from '../helpers/tiny-module.js';
import { base, fitWith, listFiles, readYaml, tmp } from './helpers.js';

afterEach(() => resetRandom());

const topThree = (dir: string): ModelCheckpoint =>
  new ModelCheckpoint({ dirpath: dir, monitor: 'val_loss', saveTopK: 3, saveLast: true, filename: '{epoch}-{val_loss:.6f}' });

/** One process's share of a run: a fresh trainer, module and callback, optionally crashing. */
async function leg(dir: string, crashAfter?: number, ckptPath?: string): Promise<{ trainer: Trainer; mc: ModelCheckpoint }> {
  const mc = topThree(dir);
  const trainer = new Trainer({ ...base, maxEpochs: 8, callbacks: [mc, ...(crashAfter === undefined ? [] : [new CrashAfterStep(crashAfter)])] });
  const { train, val } = loaders(40, 16, 8);
  const run = trainer.fit(new TinyRegressor(), train, val, ckptPath === undefined ? {} : { ckptPath });
  if (crashAfter === undefined) await run;
  else await expect(run).rejects.toThrow('simulated crash');
  return { trainer, mc };
}

describe('ModelCheckpoint across resumes', () => {
  it('a top-3 run interrupted and resumed several times ends like an uninterrupted one', async () => {
    const straight = await tmp();
    const reference = await leg(straight);
    const names = (models: Readonly<Record<string, number>>, dir: string): Record<string, number> =>
      Object.fromEntries(Object.entries(models).map(([path, score]) => [path.slice(dir.length + 1), score]));

    const resumed = await tmp();
    await leg(resumed, 7);
    await leg(resumed, 13, 'last');
    await leg(resumed, 22, 'last');
    await leg(resumed, 31, 'last');
    const final = await leg(resumed, undefined, 'last');

    expect(await listFiles(resumed)).toEqual(await listFiles(straight));
    expect((await listFiles(resumed)).filter((f) => f.startsWith('epoch='))).toHaveLength(3);
    expect(names(final.mc.bestKModels, resumed)).toEqual(names(reference.mc.bestKModels, straight));
    expect(final.mc.bestModelPath.slice(resumed.length)).toBe(reference.mc.bestModelPath.slice(straight.length));
    expect(final.mc.bestModelScore).toBe(reference.mc.bestModelScore);
    expect(names(await readYaml(join(resumed, 'best_k_models.yaml')), resumed)).toEqual(names(await readYaml(join(straight, 'best_k_models.yaml')), straight));
    expect(final.trainer.result!.bestModelPath).toBe(final.mc.bestModelPath);
  });

  it('files this run wrote after the restored checkpoint are removed on resume; others stay', async () => {
    const dir = await tmp();
    const outside = await tmp();
    const ranked = (): ModelCheckpoint => new ModelCheckpoint({ dirpath: dir, monitor: 'step', mode: 'max', saveTopK: 2, everyNTrainSteps: 1, filename: '{step}' });
    const first = ranked();
    // A copy of the state at step 2 outside the folder, and a user's own checkpoint inside it.
    await fitWith([first, new SaveAtSteps(new Set([2, 3]), (step) => (step === 2 ? join(outside, 'at-2.ckpt') : join(dir, 'manual.ckpt')))], { maxSteps: 6, maxEpochs: -1 });
    expect(await listFiles(dir)).toEqual(['best_k_models.yaml', 'manual.ckpt', 'step=5.ckpt', 'step=6.ckpt']);

    const second = ranked();
    let atStart: string[] | undefined;
    class Look extends Callback {
      override async onTrainBatchStart(): Promise<void> {
        atStart ??= await listFiles(dir);
      }
    }
    const trainer = new Trainer({ ...base, maxSteps: 6, maxEpochs: -1, callbacks: [second, new Look()] });
    const { train, val } = loaders(40, 16, 8);
    await trainer.fit(new TinyRegressor(), train, val, { ckptPath: join(outside, 'at-2.ckpt') });
    // At step 2 the ranking held steps 1 and 2 (both long deleted): 5 and 6 were the interrupted run's.
    expect(atStart).toEqual(['best_k_models.yaml', 'manual.ckpt']);
    expect(await listFiles(dir)).toEqual(['best_k_models.yaml', 'manual.ckpt', 'step=5.ckpt', 'step=6.ckpt']);
    expect(Object.keys(second.bestKModels)).toEqual([join(dir, 'step=5.ckpt'), join(dir, 'step=6.ckpt')]);
    expect(await readFile(join(outside, 'at-2.ckpt'))).toBeTruthy();
  });

  it('never deletes the file the run resumed from', async () => {
    const dir = await tmp();
    await fitWith([new ModelCheckpoint({ dirpath: dir })], { maxEpochs: 2 });
    const from = join(dir, 'epoch=1-step=10.ckpt');
    await fitWith([new ModelCheckpoint({ dirpath: dir })], { maxEpochs: 3 }, [], from);
    expect(await listFiles(dir)).toEqual(['epoch=1-step=10.ckpt', 'epoch=2-step=15.ckpt']);
  });

  it('resuming into another dirpath restores only bestModelPath, with a warning', async () => {
    const dir = await tmp();
    const first = new ModelCheckpoint({ dirpath: dir, monitor: 'score', saveTopK: 2, saveLast: true });
    await fitWith([first], { maxEpochs: 2 }, [0.2, 0.1]);
    const lines: string[] = [];
    const other = await tmp();
    const moved = new ModelCheckpoint({ dirpath: other, monitor: 'score', saveTopK: 2, saveLast: true, log: (l) => lines.push(l) });
    const trainer = new Trainer({ ...base, maxEpochs: 2, callbacks: [moved] });
    const { train, val } = loaders(40, 16, 8);
    let restored: [string, Record<string, number>, string] | undefined;
    trainer.events.once('onTrainStart', () => (restored = [moved.bestModelPath, { ...moved.bestKModels }, moved.lastModelPath]));
    await trainer.fit(new TinyRegressor(), train, val, { ckptPath: join(dir, 'last.ckpt') });
    expect(restored).toEqual([first.bestModelPath, {}, '']);
    expect(lines.some((l) => l.includes('dirpath has changed') && l.includes('Only bestModelPath will be reloaded'))).toBe(true);
  });
});
