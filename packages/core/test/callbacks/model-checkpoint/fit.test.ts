import { existsSync } from 'node:fs';
import { readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Callback, ModelCheckpoint, readCheckpointMetadata, resetRandom } from '../../../src/index.js';
import { CrashAfterStep } from '../../helpers/run-recorder.js';
import { fitWith, listFiles, readYaml, SteppedClock, tmp } from './helpers.js';

afterEach(() => resetRandom());

describe('ModelCheckpoint in fit', () => {
  it('keeps the top k by a monitored metric, writes last and the YAML, and fills the fit result', async () => {
    const dir = await tmp();
    const mc = new ModelCheckpoint({ dirpath: dir, monitor: 'score', saveTopK: 2, saveLast: true, filename: '{epoch}-{score:.2f}' });
    const trainer = await fitWith([mc], { maxEpochs: 4 }, [0.5, 0.3, 0.4, 0.2]);
    const [e1, e3] = [join(dir, 'epoch=1-score=0.30.ckpt'), join(dir, 'epoch=3-score=0.20.ckpt')];
    expect(await listFiles(dir)).toEqual(['best_k_models.yaml', 'epoch=1-score=0.30.ckpt', 'epoch=3-score=0.20.ckpt', 'last.ckpt']);
    expect(Object.keys(mc.bestKModels)).toEqual([e1, e3]);
    expect(mc.bestKModels[e3]).toBeCloseTo(0.2, 6);
    expect([mc.bestModelPath, mc.kthBestModelPath, mc.lastModelPath]).toEqual([e3, e1, join(dir, 'last.ckpt')]);
    expect(await readYaml(join(dir, 'best_k_models.yaml'))).toEqual(mc.bestKModels);
    const result = trainer.result!;
    expect(result.bestModelPath).toBe(e3);
    expect(result.bestModelScore).toBeCloseTo(0.2, 6);
    expect(result.bestKModels).toEqual(mc.bestKModels);
    expect(result.kBestYamlPath).toBe(join(dir, 'best_k_models.yaml'));
    expect(result.lastModelPath).toBe(join(dir, 'last.ckpt'));
    expect(result.checkpointCallbacks).toEqual([mc]);
    const last = join(dir, 'last.ckpt');
    expect(result.checkpointingFiles).toEqual([join(dir, 'epoch=0-score=0.50.ckpt'), last, e1, last, join(dir, 'epoch=2-score=0.40.ckpt'), last, e3, last]);
    // The state saved in the newest checkpoint is the final ranking.
    const saved = JSON.parse((await readCheckpointMetadata(last))['cairn.callbacks']!) as Record<string, Record<string, unknown>>;
    expect(saved[mc.stateKey]).toMatchObject({ bestModelPath: e3, lastModelPath: last, kthBestModelPath: e1, monitor: 'score' });
  });

  it("saveLast 'link' makes last.ckpt a relative symlink to the newest checkpoint", async () => {
    const dir = await tmp();
    await fitWith([new ModelCheckpoint({ dirpath: dir, monitor: 'score', saveTopK: 1, saveLast: 'link', filename: '{epoch}' })], { maxEpochs: 3 }, [0.5, 0.6, 0.4]);
    expect(await listFiles(dir)).toEqual(['best_k_models.yaml', 'epoch=2.ckpt', 'last.ckpt']);
    expect(await readlink(join(dir, 'last.ckpt'))).toBe('epoch=2.ckpt');
  });

  it('without monitor: k=1 keeps the newest, k=-1 keeps all, k=0 only last', async () => {
    const one = await tmp();
    const mc = new ModelCheckpoint({ dirpath: one });
    await fitWith([mc]);
    expect(await listFiles(one)).toEqual(['epoch=2-step=15.ckpt']);
    expect([mc.bestModelPath, mc.bestModelScore, mc.bestKModels]).toEqual([join(one, 'epoch=2-step=15.ckpt'), undefined, {}]);
    const all = await tmp();
    await fitWith([new ModelCheckpoint({ dirpath: all, saveTopK: -1 })]);
    expect(await listFiles(all)).toEqual(['epoch=0-step=5.ckpt', 'epoch=1-step=10.ckpt', 'epoch=2-step=15.ckpt']);
    const none = await tmp();
    await fitWith([new ModelCheckpoint({ dirpath: none, saveTopK: 0, saveLast: true })]);
    expect(await listFiles(none)).toEqual(['last.ckpt']);
  });

  it('everyNTrainSteps and everyNEpochs choose when to save', async () => {
    const steps = await tmp();
    await fitWith([new ModelCheckpoint({ dirpath: steps, saveTopK: -1, everyNTrainSteps: 4, filename: '{step}' })]);
    expect(await listFiles(steps)).toEqual(['step=12.ckpt', 'step=4.ckpt', 'step=8.ckpt']);
    const epochs = await tmp();
    await fitWith([new ModelCheckpoint({ dirpath: epochs, saveTopK: -1, everyNEpochs: 2, filename: '{epoch}' })], { maxEpochs: 5 });
    expect(await listFiles(epochs)).toEqual(['epoch=1.ckpt', 'epoch=3.ckpt']);
  });

  it('a step save at a step followed by validation waits for it and uses the fresh metric', async () => {
    const dir = await tmp();
    const mc = new ModelCheckpoint({ dirpath: dir, monitor: 'score', saveTopK: -1, everyNTrainSteps: 5, filename: '{step}-{score:.1f}' });
    await fitWith([mc], { maxEpochs: 2 }, [0.9, 0.7]);
    expect(await listFiles(dir)).toEqual(['best_k_models.yaml', 'step=10-score=0.7.ckpt', 'step=5-score=0.9.ckpt']);
  });

  it('a time save at a step followed by validation waits for it and uses the fresh metric', async () => {
    const dir = await tmp();
    // The clock reaches 5 s at step 5, the epoch's last step, whose validation has not run yet.
    const mc = new SteppedClock({ dirpath: dir, monitor: 'score', saveTopK: -1, trainTimeInterval: '5s', filename: '{step}-{score:.1f}' });
    await fitWith([mc], { maxEpochs: 2 }, [0.9, 0.7]);
    // A save at once would find no score at step 5 and epoch 0's stale 0.9 at step 10.
    expect(await listFiles(dir)).toEqual(['best_k_models.yaml', 'step=10-score=0.7.ckpt', 'step=5-score=0.9.ckpt']);
    expect(Object.values(mc.bestKModels).map((v) => v.toFixed(1))).toEqual(['0.9', '0.7']);
  });

  it('trainTimeInterval saves when the interval has passed; minimumInterval spaces every save', async () => {
    const timed = await tmp();
    await fitWith([new SteppedClock({ dirpath: timed, saveTopK: -1, trainTimeInterval: '3s', filename: '{step}' })], { maxEpochs: 2 });
    expect(await listFiles(timed)).toEqual(['step=3.ckpt', 'step=6.ckpt', 'step=9.ckpt']);
    const spaced = await tmp();
    await fitWith([new SteppedClock({ dirpath: spaced, saveTopK: -1, everyNTrainSteps: 1, minimumInterval: 2500, filename: '{step}' })], { maxEpochs: 2 });
    expect(await listFiles(spaced)).toEqual(['step=1.ckpt', 'step=10.ckpt', 'step=4.ckpt', 'step=7.ckpt']);
  });

  it('async: false has each file durable before the next step starts', async () => {
    const mc = new ModelCheckpoint({ dirpath: await tmp(), saveTopK: -1, everyNTrainSteps: 1, filename: '{step}', async: false });
    const seen: boolean[] = [];
    // Monitoring callbacks run in the order given: this one runs right after mc's hook.
    class Check extends Callback {
      override readonly monitorsMetrics = true;
      override onTrainBatchStart(): void {
        if (mc.bestModelPath !== '') seen.push(existsSync(mc.bestModelPath));
      }
    }
    await fitWith([mc, new Check()], { maxEpochs: 2 });
    expect(seen).toEqual(Array(9).fill(true));
  });

  it('saveWeightsOnly writes weights-only files; enableVersionCounter adds -v1 or overwrites', async () => {
    const dir = await tmp();
    // Lightning: without monitor the name of the previous best is reused; a ranked save never overwrites.
    const mc = new ModelCheckpoint({ dirpath: dir, saveWeightsOnly: true, monitor: 'step', mode: 'max', saveTopK: -1, everyNTrainSteps: 2, filename: 'fixed' });
    await fitWith([mc], { maxEpochs: 1 });
    expect(await listFiles(dir)).toEqual(['best_k_models.yaml', 'fixed-v1.ckpt', 'fixed.ckpt']);
    expect((await readCheckpointMetadata(join(dir, 'fixed.ckpt')))['cairn.weights_only']).toBe('true');
    const flat = await tmp();
    await fitWith([new ModelCheckpoint({ dirpath: flat, saveTopK: -1, everyNTrainSteps: 2, filename: 'fixed', enableVersionCounter: false })], { maxEpochs: 1 });
    expect(await listFiles(flat)).toEqual(['fixed.ckpt']);
  });

  it('saveOnException saves under the regular name when fit fails (Lightning 2.6), never replacing a ranked file', async () => {
    const dir = await tmp();
    const mc = new ModelCheckpoint({ dirpath: dir, saveOnException: true, print: () => undefined });
    await expect(fitWith([mc, new CrashAfterStep(7)])).rejects.toThrow('simulated crash');
    expect(await listFiles(dir)).toEqual(['epoch=0-step=5.ckpt', 'epoch=1-step=7.ckpt']);
    expect(mc.bestModelPath).toBe(join(dir, 'epoch=0-step=5.ckpt'));
  });

  it('default dirpath is <logDir>/checkpoints; a metric with / makes sub-folders', async () => {
    const root = await tmp();
    const mc = new ModelCheckpoint({ filename: '{epoch}-{train/x:.1f}' });
    await fitWith([mc], { defaultRootDir: root, maxEpochs: 1 });
    expect(mc.dirpath).toBe(join(root, 'checkpoints'));
    expect(await listFiles(root)).toEqual(['checkpoints/epoch=0-train/x=0.0.ckpt']);
  });

  it('a missing monitor warns before the first validation and throws after it', async () => {
    const lines: string[] = [];
    const early = new ModelCheckpoint({ dirpath: await tmp(), monitor: 'nope', everyNTrainSteps: 1, print: (l) => lines.push(l) });
    await expect(fitWith([early], { maxEpochs: 1 })).rejects.toThrow(/could not find the monitored key/);
    expect(lines.some((l) => l.includes("monitor='nope'"))).toBe(true);
  });

  it('several instances write side by side, each with its own state', async () => {
    const [a, b, c] = [await tmp(), await tmp(), await tmp()];
    const top = new ModelCheckpoint({ dirpath: a, monitor: 'score', saveTopK: 2, filename: '{epoch}' });
    const steps = new ModelCheckpoint({ dirpath: b, everyNTrainSteps: 3, saveTopK: -1, filename: '{step}' });
    const timed = new SteppedClock({ dirpath: c, trainTimeInterval: 7000, saveTopK: -1, filename: '{step}' });
    const trainer = await fitWith([top, steps, timed], { maxEpochs: 3 }, [0.3, 0.1, 0.2]);
    expect(await listFiles(a)).toEqual(['best_k_models.yaml', 'epoch=1.ckpt', 'epoch=2.ckpt']);
    expect(await listFiles(b)).toEqual(['step=12.ckpt', 'step=15.ckpt', 'step=3.ckpt', 'step=6.ckpt', 'step=9.ckpt']);
    expect(await listFiles(c)).toEqual(['step=14.ckpt', 'step=7.ckpt']);
    expect(trainer.checkpointCallbacks).toEqual([top, steps, timed]);
    const saved = JSON.parse((await readCheckpointMetadata(join(b, 'step=15.ckpt')))['cairn.callbacks']!) as Record<string, { dirpath: string }>;
    expect([saved[top.stateKey]!.dirpath, saved[steps.stateKey]!.dirpath, saved[timed.stateKey]!.dirpath]).toEqual([a, b, c]);
  });
});
