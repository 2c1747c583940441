import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ModelCheckpoint, resetRandom, type Callback } from '@cairn/core';
import { CSVLogger } from '../src/csv-logger/csv-logger.js';
import { parseRows } from '../src/csv-logger/csv-text.js';
import { CrashAfterStep, loaders, SaveAtStep, testTrainer, TinyRegressor } from './helpers/tiny-module.js';

afterEach(() => resetRandom());

const tempDir = (): Promise<string> => mkdtemp(join(tmpdir(), 'cairn-csv-fit-'));

describe('CSVLogger in a real fit', () => {
  it('logs step rows, epoch rows and hparams; the trainer logDir is the version folder', async () => {
    const logger = new CSVLogger({ saveDir: await tempDir() });
    const trainer = testTrainer({ maxEpochs: 2, logEveryNSteps: 2, logger });
    const { train, val } = loaders();
    await trainer.fit(new TinyRegressor(), train, val);
    expect(trainer.logDir).toBe(logger.logDir);
    const { header, rows } = parseRows(await readFile(logger.metricsFilePath, 'utf8'));
    expect(header).toEqual(['epoch', 'step', 'train_loss_epoch', 'train_loss_step', 'val_loss']);
    // Step rows every 2nd step (0-based steps 1, 3, 5, 7, 9), one validation row and one train-epoch row per epoch.
    expect(rows.filter((r) => r.train_loss_step !== undefined).map((r) => r.step)).toEqual(['1', '3', '5', '7', '9']);
    expect(rows.filter((r) => r.val_loss !== undefined).map((r) => [r.epoch, r.step])).toEqual([['0', '4'], ['1', '9']]);
    expect(rows.filter((r) => r.train_loss_epoch !== undefined).map((r) => [r.epoch, r.step])).toEqual([['0', '4'], ['1', '9']]);
    expect(parse(await readFile(join(logger.logDir, 'hparams.yaml'), 'utf8'))).toEqual({ lr: 0.05, hidden: 4 });
  });

  it("placed in 'callbacks' as Keras users do, it is the trainer's logger: same rows, same log folder", async () => {
    const logger = new CSVLogger({ saveDir: await tempDir() });
    const trainer = testTrainer({ maxEpochs: 2, logEveryNSteps: 2, callbacks: [logger] });
    expect(trainer.loggers).toEqual([logger]);
    const { train, val } = loaders();
    await trainer.fit(new TinyRegressor(), train, val);
    expect(trainer.logDir).toBe(logger.logDir);
    const { rows } = parseRows(await readFile(logger.metricsFilePath, 'utf8'));
    expect(rows.filter((r) => r.val_loss !== undefined).map((r) => [r.epoch, r.step])).toEqual([['0', '4'], ['1', '9']]);
  });

  it('a resumed run continues the same file: byte-identical to an uninterrupted run', async () => {
    const fit = async (saveDir: string, callbacks: Callback[], ckptPath?: string): Promise<CSVLogger> => {
      const logger = new CSVLogger({ saveDir, flushLogsEveryNSteps: 3, print: () => undefined });
      const { train, val } = loaders();
      await testTrainer({ maxEpochs: 3, logEveryNSteps: 1, logger, callbacks }).fit(new TinyRegressor(), train, val, { ckptPath });
      return logger;
    };
    const reference = await fit(await tempDir(), []);

    const dir = await tempDir();
    const path = join(dir, 'step-7.ckpt');
    // Step 7 is mid-epoch: some rows are buffered; rows of steps 8-9 reach the file before the crash.
    await expect(fit(dir, [new SaveAtStep(7, path), new CrashAfterStep(9)])).rejects.toThrow('simulated crash');
    const resumed = await fit(dir, [], path);
    expect(resumed.logDir).toBe(join(dir, 'lightning_logs', 'version_0'));
    expect(await readFile(resumed.metricsFilePath, 'utf8')).toBe(await readFile(reference.metricsFilePath, 'utf8'));
  });

  it("puts the default ModelCheckpoint's files in <csv log dir>/checkpoints, not in defaultRootDir", async () => {
    const logger = new CSVLogger({ saveDir: await tempDir() });
    const rootDir = await tempDir();
    const trainer = testTrainer({ maxEpochs: 2, logger, enableCheckpointing: true, defaultRootDir: rootDir });
    const { train, val } = loaders();
    const result = await trainer.fit(new TinyRegressor(), train, val);
    const checkpoints = join(logger.logDir, 'checkpoints');
    const [callback] = trainer.callbacks.filter((c): c is ModelCheckpoint => c instanceof ModelCheckpoint);
    expect(callback?.dirpath).toBe(checkpoints);
    // Saved every epoch (two files written), the newest kept: Lightning's default.
    expect(result.checkpointingFiles.map((path) => dirname(path))).toEqual([checkpoints, checkpoints]);
    expect(await readdir(checkpoints)).toEqual(['epoch=1-step=10.ckpt']);
    expect(result.bestModelPath).toBe(join(checkpoints, 'epoch=1-step=10.ckpt'));
    expect(existsSync(join(rootDir, 'checkpoints'))).toBe(false);
  });
});
