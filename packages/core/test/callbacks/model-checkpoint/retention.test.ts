import { afterEach, describe, expect, it } from 'vitest';
import { ModelCheckpoint, resetRandom, type Trainer } from '../../../src/index.js';
import { fitWith, leg, listFiles, tmp } from './helpers.js';

afterEach(() => resetRandom());

const ckpts = async (dir: string): Promise<string[]> => (await listFiles(dir)).filter((f) => f.endsWith('.ckpt'));

/** Wall clock = global step x 30 minutes, so keepEveryNHours is exact. */
class HalfHourPerStep extends ModelCheckpoint {
  private trainer: Trainer | undefined;
  override async setup(...args: Parameters<ModelCheckpoint['setup']>): Promise<void> {
    this.trainer = args[0];
    await super.setup(...args);
  }
  protected override wallClock(): number {
    return (this.trainer?.globalStep ?? 0) * 1_800_000;
  }
}

describe('ModelCheckpoint retention: keepLastN, keepEveryNHours, keepPeriod', () => {
  it('keepLastN rotates the newest N saves (no monitor)', async () => {
    const dir = await tmp();
    await fitWith([new ModelCheckpoint({ dirpath: dir, everyNTrainSteps: 1, filename: '{step}', keepLastN: 3 })], { maxSteps: 9, maxEpochs: -1 });
    expect(await ckpts(dir)).toEqual(['step=7.ckpt', 'step=8.ckpt', 'step=9.ckpt']);
  });

  it('with a monitor, a file stays while it is in the top k OR among the last N', async () => {
    const dir = await tmp();
    // score per validation: epoch 0 best, then worse and worse.
    await fitWith([new ModelCheckpoint({ dirpath: dir, monitor: 'score', saveTopK: 1, keepLastN: 2, filename: '{epoch}' })], { maxEpochs: 5 }, [0.1, 0.5, 0.6, 0.7, 0.8]);
    expect(await ckpts(dir)).toEqual(['epoch=0.ckpt', 'epoch=3.ckpt', 'epoch=4.ckpt']);
  });

  it('keepPeriod keeps every save at a multiple of the period for good, besides the top k', async () => {
    const dir = await tmp();
    await fitWith([new ModelCheckpoint({ dirpath: dir, monitor: 'step', mode: 'max', saveTopK: 1, everyNTrainSteps: 1, filename: '{step}', keepPeriod: 4 })], { maxSteps: 13, maxEpochs: -1 });
    expect(await ckpts(dir)).toEqual(['step=12.ckpt', 'step=13.ckpt', 'step=4.ckpt', 'step=8.ckpt']);
  });

  it('keepEveryNHours keeps one save per N hours of wall clock for good', async () => {
    const dir = await tmp();
    await fitWith([new HalfHourPerStep({ dirpath: dir, everyNTrainSteps: 1, filename: '{step}', keepEveryNHours: 1.5 })], { maxSteps: 10, maxEpochs: -1 });
    // Fit starts at step 0 (time 0): kept at 1.5 h (step 3), then 3 h (step 6), 4.5 h (step 9); the newest is the top-1.
    expect(await ckpts(dir)).toEqual(['step=10.ckpt', 'step=3.ckpt', 'step=6.ckpt', 'step=9.ckpt']);
  });

  it('survives resume: an interrupted run ends with the files of an uninterrupted one', async () => {
    const make = (dir: string): ModelCheckpoint =>
      new ModelCheckpoint({ dirpath: dir, monitor: 'val_loss', saveTopK: 2, everyNTrainSteps: 2, filename: '{step}', keepLastN: 3, keepPeriod: 6, saveLast: true });
    const straight = await tmp();
    await leg([make(straight)], 5);
    const resumed = await tmp();
    await leg([make(resumed)], 5, 9);
    await leg([make(resumed)], 5, 17, 'last');
    await leg([make(resumed)], 5, undefined, 'last');
    expect(await listFiles(resumed)).toEqual(await listFiles(straight));
    expect((await ckpts(straight)).length).toBeGreaterThan(5);
  });

  it('refuses bad retention options at construction', () => {
    expect(() => new ModelCheckpoint({ keepLastN: -1 })).toThrow(/keepLastN must be an integer >= 0/);
    expect(() => new ModelCheckpoint({ keepPeriod: 0 })).toThrow(/keepPeriod must be an integer >= 1/);
    expect(() => new ModelCheckpoint({ keepEveryNHours: 0 })).toThrow(/keepEveryNHours must be a positive number/);
    expect(() => new ModelCheckpoint({ saveTopK: 0, keepLastN: 2 })).toThrow(/saveTopK=0 makes none/);
  });
});
