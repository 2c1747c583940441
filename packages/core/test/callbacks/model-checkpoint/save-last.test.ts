import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelCheckpoint, Trainer, type ModelCheckpointOptions, type TrainerOptions } from '../../../src/index.js';
import { loaders } from '../../helpers/tiny-module.js';
import { base, listFiles, ScriptedModule, tmp } from './helpers.js';

/** Every file the callback asks for, as `<global step>:<name>`, and the folder at the end. 5 steps an epoch, 5 epochs. */
async function writesOf(options: ModelCheckpointOptions, trainer: TrainerOptions = {}, withValidation = true): Promise<{ writes: string[]; files: string[] }> {
  const dir = await tmp();
  const mc = new ModelCheckpoint({ dirpath: dir, print: () => undefined, ...options });
  const t = new Trainer({ ...base, maxEpochs: 5, ...trainer, callbacks: [mc] });
  const writes: string[] = [];
  const save = t.saveCheckpoint.bind(t);
  t.saveCheckpoint = (path, saveOptions) => {
    writes.push(`${t.globalStep}:${basename(path)}`);
    return save(path, saveOptions);
  };
  const { train, val } = loaders(40, 16, 8);
  await t.fit(new ScriptedModule(), train, withValidation ? val : undefined);
  return { writes, files: await listFiles(dir) };
}

describe("saveLast follows Lightning 2.6", () => {
  it('everyNEpochs 5: last is written only where the ranked save happens, once', async () => {
    const { writes } = await writesOf({ saveLast: true, everyNEpochs: 5 });
    expect(writes).toEqual(['25:epoch=4-step=25.ckpt', '25:last.ckpt']);
  });

  it('with a monitor, an epoch whose score misses the top k writes no last', async () => {
    const { writes } = await writesOf({ saveLast: true, monitor: 'score', mode: 'max' }, { maxEpochs: 3 });
    // ScriptedModule logs score 0 every time: only the first enters the top 1.
    expect(writes).toEqual(['5:epoch=0-step=5.ckpt', '5:last.ckpt']);
  });

  it('everyNEpochs 0 (no trigger): nothing during training, last once at train end', async () => {
    const { writes, files } = await writesOf({ saveLast: true, everyNEpochs: 0 });
    expect(writes).toEqual(['25:last.ckpt']);
    expect(files).toEqual(['last.ckpt']);
  });

  it('no validation and saveOnTrainEpochEnd false: still a last.ckpt at train end', async () => {
    const { writes, files } = await writesOf({ saveLast: true, saveOnTrainEpochEnd: false }, {}, false);
    expect(writes).toEqual(['25:last.ckpt']);
    expect(files).toEqual(['last.ckpt']);
  });

  it("step triggers write last at each save, and 'link' links at every epoch point once a file exists", async () => {
    const steps = await writesOf({ saveLast: true, everyNTrainSteps: 10, saveTopK: -1 }, { maxEpochs: 2 });
    expect(steps.writes).toEqual(['10:epoch=1-step=10.ckpt', '10:last.ckpt']);
    const link = await writesOf({ saveLast: 'link', everyNEpochs: 2 }, { maxEpochs: 3 });
    expect(link.writes).toEqual(['10:epoch=1-step=10.ckpt']);
    expect(link.files).toEqual(['epoch=1-step=10.ckpt', 'last.ckpt']);
  });
});

describe('trainTimeInterval 0', () => {
  it('saves at every step, as Lightning', async () => {
    const { files } = await writesOf({ trainTimeInterval: 0, saveTopK: -1 }, { maxEpochs: 1 });
    expect(files).toEqual([1, 2, 3, 4, 5].map((step) => `epoch=0-step=${step}.ckpt`));
  });
});
