import { join } from 'node:path';
import { readlink } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { ModelCheckpoint, readCheckpointMetadata, resetRandom } from '../../../src/index.js';
import { CrashAfterStep } from '../../helpers/run-recorder.js';
import { EpochLast, fitWith, listFiles, tmp } from './helpers.js';

afterEach(() => resetRandom());

/** Lightning's way to rename the last file: override the class attribute (EpochLast: a template). */
class FinalLast extends ModelCheckpoint {
  static override CHECKPOINT_NAME_LAST = 'final';
}

describe('CHECKPOINT_NAME_LAST overridden on a subclass', () => {
  it('a fixed name replaces last.ckpt', async () => {
    const dir = await tmp();
    const mc = new FinalLast({ dirpath: dir, saveLast: true });
    const trainer = await fitWith([mc], { maxEpochs: 2 });
    expect(await listFiles(dir)).toEqual(['epoch=1-step=10.ckpt', 'final.ckpt']);
    expect([mc.lastModelPath, trainer.result!.lastModelPath]).toEqual([join(dir, 'final.ckpt'), join(dir, 'final.ckpt')]);
  });

  it("a template '{epoch}-last' names each last file by its epoch; the previous one goes", async () => {
    const dir = await tmp();
    const mc = new EpochLast({ dirpath: dir, saveLast: true });
    await fitWith([mc], { maxEpochs: 3 });
    const last = join(dir, 'epoch=2-last.ckpt');
    expect(await listFiles(dir)).toEqual(['epoch=2-last.ckpt', 'epoch=2-step=15.ckpt']);
    expect(mc.lastModelPath).toBe(last);
    // The state inside the file names the file itself as the last one.
    const saved = JSON.parse((await readCheckpointMetadata(last))['cairn.callbacks']!) as Record<string, Record<string, unknown>>;
    expect(saved[mc.stateKey]).toMatchObject({ lastModelPath: last });
  });

  it("saveLast 'link' with the template: a link per epoch to the newest file, the previous link removed", async () => {
    const dir = await tmp();
    await fitWith([new EpochLast({ dirpath: dir, saveLast: 'link' })], { maxEpochs: 3 });
    expect(await listFiles(dir)).toEqual(['epoch=2-last.ckpt', 'epoch=2-step=15.ckpt']);
    expect(await readlink(join(dir, 'epoch=2-last.ckpt'))).toBe('epoch=2-step=15.ckpt');
  });

  it('resumed from a templated last file, the run ends with the files of an uninterrupted one', async () => {
    const straight = await tmp();
    await fitWith([new EpochLast({ dirpath: straight, saveLast: true })], { maxEpochs: 3 });
    const resumed = await tmp();
    await expect(fitWith([new EpochLast({ dirpath: resumed, saveLast: true }), new CrashAfterStep(7)], { maxEpochs: 3 })).rejects.toThrow('simulated crash');
    const mc = new EpochLast({ dirpath: resumed, saveLast: true, print: () => undefined });
    await fitWith([mc], { maxEpochs: 3 }, [], join(resumed, 'epoch=0-last.ckpt'));
    // The file resumed from stays while the fit runs, and goes once a newer last file replaced it.
    expect(await listFiles(resumed)).toEqual(await listFiles(straight));
    expect(mc.lastModelPath).toBe(join(resumed, 'epoch=2-last.ckpt'));
  });
});
