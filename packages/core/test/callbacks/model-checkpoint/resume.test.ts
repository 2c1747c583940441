import { copyFile, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Callback, ModelCheckpoint, resetRandom, Trainer } from '../../../src/index.js';
import { CrashAfterStep, SaveAtSteps } from '../../helpers/run-recorder.js';
import { loaders, TinyRegressor } from '../../helpers/tiny-module.js';
import { base, fitWith, leg, listFiles, readYaml, relativeModels, tmp } from './helpers.js';

afterEach(() => resetRandom());

const topThree = (dir: string): ModelCheckpoint =>
  new ModelCheckpoint({ dirpath: dir, monitor: 'val_loss', saveTopK: 3, saveLast: true, filename: '{epoch}-{val_loss:.6f}' });

/** One process's share of a top-3 run (8 epochs). */
async function topThreeLeg(dir: string, crashAfter?: number, ckptPath?: string): Promise<{ trainer: Trainer; mc: ModelCheckpoint }> {
  const mc = topThree(dir);
  return { trainer: await leg([mc], 8, crashAfter, ckptPath), mc };
}

describe('ModelCheckpoint across resumes', () => {
  it('a top-3 run interrupted and resumed several times ends like an uninterrupted one', async () => {
    const straight = await tmp();
    const reference = await topThreeLeg(straight);

    const resumed = await tmp();
    await topThreeLeg(resumed, 7);
    await topThreeLeg(resumed, 13, 'last');
    await topThreeLeg(resumed, 22, 'last');
    await topThreeLeg(resumed, 31, 'last');
    const final = await topThreeLeg(resumed, undefined, 'last');

    expect(await listFiles(resumed)).toEqual(await listFiles(straight));
    expect((await listFiles(resumed)).filter((f) => f.startsWith('epoch='))).toHaveLength(3);
    expect(relativeModels(final.mc.bestKModels, resumed)).toEqual(relativeModels(reference.mc.bestKModels, straight));
    expect(final.mc.bestModelPath.slice(resumed.length)).toBe(reference.mc.bestModelPath.slice(straight.length));
    expect(final.mc.bestModelScore).toBe(reference.mc.bestModelScore);
    expect(relativeModels(await readYaml(join(resumed, 'best_k_models.yaml')), resumed)).toEqual(relativeModels(await readYaml(join(straight, 'best_k_models.yaml')), straight));
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
    const resumedFrom = await readFile(join(outside, 'at-2.ckpt'));
    const trainer = new Trainer({ ...base, maxSteps: 6, maxEpochs: -1, callbacks: [second, new Look()] });
    const { train, val } = loaders(40, 16, 8);
    await trainer.fit(new TinyRegressor(), train, val, { ckptPath: join(outside, 'at-2.ckpt') });
    // At step 2 the ranking held steps 1 and 2 (both long deleted): 5 and 6 were the interrupted run's.
    expect(atStart).toEqual(['best_k_models.yaml', 'manual.ckpt']);
    expect(await listFiles(dir)).toEqual(['best_k_models.yaml', 'manual.ckpt', 'step=5.ckpt', 'step=6.ckpt']);
    expect(Object.keys(second.bestKModels)).toEqual([join(dir, 'step=5.ckpt'), join(dir, 'step=6.ckpt')]);
    // The file resumed from, outside dirpath, is left exactly as it was.
    expect((await readFile(join(outside, 'at-2.ckpt'))).equals(resumedFrom)).toBe(true);
  });

  it('a kill between a save and the deletion it evicts: the leftover goes on resume, and the folder ends as best_k_models.yaml says', async () => {
    const dir = await tmp();
    const keep = await tmp();
    // async: false, so each file is durable before the next step starts.
    const ranked = (): ModelCheckpoint => new ModelCheckpoint({ dirpath: dir, monitor: 'step', mode: 'max', saveTopK: 2, everyNTrainSteps: 1, filename: '{step}', async: false });
    const evicted = join(dir, 'step=1.ckpt');
    // Monitoring callbacks run in the order given: these run right after the ModelCheckpoint's hook.
    class CopyStepOne extends Callback {
      override readonly monitorsMetrics = true;
      override async onTrainBatchStart(trainer: Trainer): Promise<void> {
        if (trainer.globalStep === 1) await copyFile(evicted, join(keep, 'step=1.ckpt'));
      }
    }
    const first = new Trainer({ ...base, maxSteps: 6, maxEpochs: -1, callbacks: [ranked(), new CopyStepOne(), new CrashAfterStep(3)] });
    // No validation data: every step saves at once.
    await expect(first.fit(new TinyRegressor(), loaders(40, 16, 8).train)).rejects.toThrow('simulated crash');
    // Step 3 evicted step 1 once durable; put step 1 back, as a kill just before that deletion leaves it.
    for (let i = 0; i < 100 && existsSync(evicted); i++) await new Promise((r) => setTimeout(r, 20));
    await copyFile(join(keep, 'step=1.ckpt'), evicted);
    expect(await listFiles(dir)).toEqual(['best_k_models.yaml', 'step=1.ckpt', 'step=2.ckpt', 'step=3.ckpt']);

    const seen = new Map<number, string[]>();
    class Look extends Callback {
      override readonly monitorsMetrics = true;
      override async onTrainBatchStart(trainer: Trainer): Promise<void> {
        seen.set(trainer.globalStep, await listFiles(dir));
      }
    }
    const second = ranked();
    const trainer = new Trainer({ ...base, maxSteps: 6, maxEpochs: -1, callbacks: [second, new Look()] });
    await trainer.fit(new TinyRegressor(), loaders(40, 16, 8).train, undefined, { ckptPath: 'last' });
    expect(trainer.ckptPath).toBe(join(dir, 'step=3.ckpt'));
    // The leftover was this run's own top-k file, absent from the restored ranking: removed before training goes on.
    expect(seen.get(3)).toEqual(['best_k_models.yaml', 'step=2.ckpt', 'step=3.ckpt']);
    // The file resumed from stays while the fit runs, even after step 5 displaced it ...
    expect(seen.get(5)).toEqual(['best_k_models.yaml', 'step=3.ckpt', 'step=4.ckpt', 'step=5.ckpt']);
    // ... and goes once the fit completes: the folder holds exactly the ranking, as without the kill.
    expect(await listFiles(dir)).toEqual(['best_k_models.yaml', 'step=5.ckpt', 'step=6.ckpt']);
    const yaml = await readYaml(join(dir, 'best_k_models.yaml'));
    expect(Object.keys(yaml).sort()).toEqual([join(dir, 'step=5.ckpt'), join(dir, 'step=6.ckpt')]);
    expect(Object.keys(second.bestKModels).sort()).toEqual(Object.keys(yaml).sort());
  });

  it('keeps the file it resumed from while the fit runs; at the end only an own ranked file that left the top k goes', async () => {
    const dir = await tmp();
    await fitWith([new ModelCheckpoint({ dirpath: dir })], { maxEpochs: 2 });
    const from = join(dir, 'epoch=1-step=10.ckpt');
    // A user's copy in the same folder is not this callback's file: resuming from it never deletes it.
    const copy = join(dir, 'mine.ckpt');
    await copyFile(from, copy);
    await fitWith([new ModelCheckpoint({ dirpath: dir })], { maxEpochs: 3 }, [], copy);
    // (epoch 1's file was the restored bestModelPath, replaced by epoch 2's as in any run.)
    expect(await listFiles(dir)).toEqual(['epoch=2-step=15.ckpt', 'mine.ckpt']);

    const again = await tmp();
    await fitWith([new ModelCheckpoint({ dirpath: again })], { maxEpochs: 2 });
    const seen: string[][] = [];
    class Look extends Callback {
      override async onTrainEpochEnd(): Promise<void> {
        seen.push(await listFiles(again));
      }
    }
    await fitWith([new ModelCheckpoint({ dirpath: again }), new Look()], { maxEpochs: 4 }, [], join(again, 'epoch=1-step=10.ckpt'));
    // saveTopK 1 without monitor keeps the newest: the file resumed from stays until the fit completes ...
    expect(seen.at(-1)).toContain('epoch=1-step=10.ckpt');
    // ... then goes, as it would have in an uninterrupted run.
    expect(await listFiles(again)).toEqual(['epoch=3-step=20.ckpt']);
  });

  it('resuming into another dirpath restores only bestModelPath, with a warning', async () => {
    const dir = await tmp();
    const first = new ModelCheckpoint({ dirpath: dir, monitor: 'score', saveTopK: 2, saveLast: true });
    await fitWith([first], { maxEpochs: 2 }, [0.2, 0.1]);
    const lines: string[] = [];
    const other = await tmp();
    const moved = new ModelCheckpoint({ dirpath: other, monitor: 'score', saveTopK: 2, saveLast: true, print: (l) => lines.push(l) });
    const trainer = new Trainer({ ...base, maxEpochs: 2, callbacks: [moved] });
    const { train, val } = loaders(40, 16, 8);
    let restored: [string, Record<string, number>, string] | undefined;
    trainer.events.once('onTrainStart', () => (restored = [moved.bestModelPath, { ...moved.bestKModels }, moved.lastModelPath]));
    await trainer.fit(new TinyRegressor(), train, val, { ckptPath: join(dir, 'last.ckpt') });
    expect(restored).toEqual([first.bestModelPath, {}, '']);
    expect(lines.some((l) => l.includes('dirpath has changed') && l.includes('Only bestModelPath will be reloaded'))).toBe(true);
  });
});
