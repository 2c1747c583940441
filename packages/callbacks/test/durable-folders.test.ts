import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { CSVLogger, TensorBoardLogger } from '@cairn/callbacks';
import { foldersLeftVolatile, syncSpy } from './helpers/sync-spy.js';
import { loaders, testTrainer, TinyRegressor } from './helpers/tiny-module.js';

vi.mock('node:fs/promises', async (real) => (await import('./helpers/sync-spy.js')).spiedFs(await real()));

beforeEach(() => {
  syncSpy.events.length = 0;
});

async function fitWith(logger: CSVLogger | TensorBoardLogger): Promise<void> {
  const { train, val } = loaders();
  await testTrainer({ maxEpochs: 2, logEveryNSteps: 1, enableCheckpointing: true, logger }).fit(new TinyRegressor(), train, val);
}

describe('logger folders survive a power cut', () => {
  it('CSVLogger in a missing saveDir: every version folder and the checkpoints folder under it are made durable; appended rows are fsynced', async () => {
    const saveDir = join(await mkdtemp(join(tmpdir(), 'cairn-durable-logs-')), 'not', 'yet');
    const logger = new CSVLogger({ saveDir, flushLogsEveryNSteps: 1, print: () => undefined });
    await fitWith(logger);
    expect(syncSpy.events.filter((event) => event.op === 'mkdir').length).toBeGreaterThanOrEqual(4);
    expect(foldersLeftVolatile()).toEqual([]);
    // Appends after the first write (same header) go to metrics.csv itself: each one fsynced.
    const metricsSyncs = syncSpy.events.filter((event) => event.op === 'sync' && event.path === logger.metricsFilePath);
    expect(metricsSyncs.length).toBeGreaterThanOrEqual(1);
    expect(await readFile(join(logger.logDir, 'hparams.yaml'), 'utf8')).toContain('hidden');
  });

  it('TensorBoardLogger in a missing saveDir: the events file\'s folders are made durable', async () => {
    const saveDir = join(await mkdtemp(join(tmpdir(), 'cairn-durable-logs-')), 'tb', 'runs');
    await fitWith(new TensorBoardLogger({ saveDir, print: () => undefined }));
    expect(syncSpy.events.filter((event) => event.op === 'mkdir').length).toBeGreaterThanOrEqual(3);
    expect(foldersLeftVolatile()).toEqual([]);
  });
});
