import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resetRandom, type Callback, type Logger } from '@cairn/core';
import { CSVLogger, TensorBoardLogger } from '@cairn/callbacks';
import { parseRows } from '../src/csv-logger/csv-text.js';
import { readEventDir, scalarsOf } from './helpers/tfevents-reader.js';
import { CrashAfterStep, loaders, testTrainer, TinyRegressor } from './helpers/tiny-module.js';

afterEach(() => resetRandom());

const tempDir = (): Promise<string> => mkdtemp(join(tmpdir(), 'cairn-resume-last-'));
const csv = (saveDir: string): CSVLogger => new CSVLogger({ saveDir, print: () => undefined });

/**
 * The README's flow: the same code runs again after a crash, with `ckptPath: 'last'`. The logger
 * has an automatic version; the default ModelCheckpoint saves every epoch to `<logDir>/checkpoints`.
 */
async function run(logger: Logger, callbacks: Callback[], ckptPath?: string): Promise<void> {
  const { train, val } = loaders();
  await testTrainer({ maxEpochs: 4, logEveryNSteps: 1, enableCheckpointing: true, logger, callbacks }).fit(new TinyRegressor(), train, val, { ckptPath });
}

// 5 steps per epoch: a crash at the start of step 13 (third epoch) comes after two epoch checkpoints.
const crash = (): CrashAfterStep => new CrashAfterStep(12);

describe("ckptPath 'last' with a logger of automatic version", () => {
  it('CSVLogger: finds the crashed run in its version folder and continues its metrics.csv, no row twice', async () => {
    const reference = csv(await tempDir());
    await run(reference, []);
    const expected = await readFile(reference.metricsFilePath, 'utf8');

    const saveDir = await tempDir();
    await expect(run(csv(saveDir), [crash()])).rejects.toThrow('simulated crash');
    const resumed = csv(saveDir);
    await run(resumed, [], 'last');

    expect(resumed.logDir).toBe(join(saveDir, 'lightning_logs', 'version_0'));
    expect(await readdir(join(saveDir, 'lightning_logs'))).toEqual(['version_0']);
    const text = await readFile(resumed.metricsFilePath, 'utf8');
    expect(text).toBe(expected);
    const rows = parseRows(text).rows.map((row) => JSON.stringify(row));
    expect(new Set(rows).size).toBe(rows.length);
  });

  it('takes the newest version folder that holds a checkpoint, past a newer one without', async () => {
    const saveDir = await tempDir();
    await run(csv(saveDir), []); // version_0: a finished run
    await expect(run(csv(saveDir), [crash()])).rejects.toThrow('simulated crash'); // version_1: crashed
    // version_2: a run that died before its first checkpoint.
    await mkdir(join(saveDir, 'lightning_logs', 'version_2'));
    await writeFile(join(saveDir, 'lightning_logs', 'version_2', 'metrics.csv'), 'epoch,step\n');

    const resumed = csv(saveDir);
    await run(resumed, [], 'last');
    expect(resumed.logDir).toBe(join(saveDir, 'lightning_logs', 'version_1'));
    // Same code, same seed: the resumed version_1 holds exactly what the finished version_0 holds.
    expect(await readFile(resumed.metricsFilePath, 'utf8')).toBe(await readFile(join(saveDir, 'lightning_logs', 'version_0', 'metrics.csv'), 'utf8'));
  });

  it('keeps a version the user gave', async () => {
    const saveDir = await tempDir();
    await expect(run(csv(saveDir), [crash()])).rejects.toThrow('simulated crash');
    const logger = new CSVLogger({ saveDir, version: 7, print: () => undefined });
    await logger.resumeLatestRun();
    expect(logger.logDir).toBe(join(saveDir, 'lightning_logs', 'version_7'));
  });

  it('TensorBoardLogger follows the same rule: the crashed version, its event file, no step twice', async () => {
    const tb = (saveDir: string): TensorBoardLogger => new TensorBoardLogger({ saveDir, print: () => undefined });
    const reference = tb(await tempDir());
    await run(reference, []);
    const expected = scalarsOf((await readEventDir(reference.logDir)).events);

    const saveDir = await tempDir();
    await expect(run(tb(saveDir), [crash()])).rejects.toThrow('simulated crash');
    const crashedFiles = (await readEventDir(join(saveDir, 'lightning_logs', 'version_0'))).files;
    const resumed = tb(saveDir);
    await run(resumed, [], 'last');
    expect(resumed.logDir).toBe(join(saveDir, 'lightning_logs', 'version_0'));
    expect(await readdir(join(saveDir, 'lightning_logs'))).toEqual(['version_0']);
    const actual = await readEventDir(resumed.logDir);
    expect(actual.files).toEqual(crashedFiles);
    expect(scalarsOf(actual.events)).toEqual(expected);
  });
});
