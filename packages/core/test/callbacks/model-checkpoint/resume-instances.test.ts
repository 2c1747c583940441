import { relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ModelCheckpoint, resetRandom } from '../../../src/index.js';
import { leg, listFiles, relativeModels, tmp } from './helpers.js';

afterEach(() => resetRandom());

/** Three configurations in one folder, so each state key has to find its own state and files. */
function instances(dir: string): ModelCheckpoint[] {
  return [
    new ModelCheckpoint({ dirpath: dir, monitor: 'val_loss', saveTopK: 2, filename: '{epoch}-{val_loss:.6f}' }),
    new ModelCheckpoint({ dirpath: dir, monitor: 'step', mode: 'max', saveTopK: 2, everyNTrainSteps: 3, filename: '{step}' }),
    new ModelCheckpoint({ dirpath: dir, saveTopK: 0, saveLast: true }),
  ];
}

/** One process's share of a run with the three instances (4 epochs). */
async function legOfThree(dir: string, crashAfter?: number, ckptPath?: string): Promise<ModelCheckpoint[]> {
  const callbacks = instances(dir);
  await leg(callbacks, 4, crashAfter, ckptPath);
  return callbacks;
}

/** What each instance reports, with paths relative to its folder. */
function report(mc: ModelCheckpoint, dir: string): Record<string, unknown> {
  const rel = (path: string): string => (path === '' ? '' : relative(dir, path));
  return {
    bestKModels: relativeModels(mc.bestKModels, dir),
    bestModelPath: rel(mc.bestModelPath),
    bestModelScore: mc.bestModelScore,
    kthBestModelPath: rel(mc.kthBestModelPath),
    lastModelPath: rel(mc.lastModelPath),
  };
}

describe('ModelCheckpoint: several instances across resumes', () => {
  it('each restores its own state by its state key and continues as in an uninterrupted run', async () => {
    const straight = await tmp();
    const reference = await legOfThree(straight);

    const resumed = await tmp();
    // Crashes mid-epoch (after step 7, 20 steps in all): the newest file is the every-3-steps one.
    await legOfThree(resumed, 7);
    await legOfThree(resumed, 13, 'last');
    const final = await legOfThree(resumed, undefined, 'last');

    expect(final.map((mc) => report(mc, resumed))).toEqual(reference.map((mc) => report(mc, straight)));
    expect(await listFiles(resumed)).toEqual(await listFiles(straight));
    // Every instance did keep something: the comparison above is not between empty states.
    const [ranked, steps, last] = reference;
    expect(Object.keys(ranked!.bestKModels)).toHaveLength(2);
    expect(relativeModels(steps!.bestKModels, straight)).toEqual({ 'step=15.ckpt': 15, 'step=18.ckpt': 18 });
    expect(relative(straight, last!.lastModelPath)).toBe('last.ckpt');
  });
});
