import { appendFile, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CSVLogger } from '../src/csv-logger/csv-logger.js';

const tempDir = (): Promise<string> => mkdtemp(join(tmpdir(), 'cairn-csv-'));
const quiet = { print: () => undefined };

describe('CSVLogger layout', () => {
  it('writes saveDir/lightning_logs/version_N with N = highest existing version + 1', async () => {
    const dir = await tempDir();
    expect(new CSVLogger({ saveDir: dir }).version).toBe(0);
    for (const folder of ['version_0', 'version_3', 'version_x', 'other']) await mkdir(join(dir, 'lightning_logs', folder), { recursive: true });
    await writeFile(join(dir, 'lightning_logs', 'version_9'), 'a file, not a version folder');
    const logger = new CSVLogger({ saveDir: dir });
    expect(logger.version).toBe(4);
    expect(logger.logDir).toBe(join(dir, 'lightning_logs', 'version_4'));
    await logger.logMetrics({ loss: 1 }, 0);
    await logger.finalize('success');
    expect(existsSync(join(dir, 'lightning_logs', 'version_4', 'metrics.csv'))).toBe(true);
  });

  it('takes a numeric or named version, a custom name, or no name at all', async () => {
    const dir = await tempDir();
    expect(new CSVLogger({ saveDir: dir, version: 7 }).logDir).toBe(join(dir, 'lightning_logs', 'version_7'));
    expect(new CSVLogger({ saveDir: dir, name: 'exp', version: 'baseline' }).logDir).toBe(join(dir, 'exp', 'baseline'));
    expect(new CSVLogger({ saveDir: dir, name: '', version: 2 }).logDir).toBe(join(dir, 'version_2'));
  });

  it('rejects bad options', () => {
    expect(() => new CSVLogger({ saveDir: '' })).toThrow(/saveDir/);
    expect(() => new CSVLogger({ saveDir: '/tmp', version: -1 })).toThrow(/version/);
    expect(() => new CSVLogger({ saveDir: '/tmp', version: 'a/b' })).toThrow(/version/);
    expect(() => new CSVLogger({ saveDir: '/tmp', version: '..' })).toThrow(/version/);
    expect(() => new CSVLogger({ saveDir: '/tmp', flushLogsEveryNSteps: 0 })).toThrow(/flushLogsEveryNSteps/);
  });

  it('writes hparams.yaml', async () => {
    const logger = new CSVLogger({ saveDir: await tempDir() });
    await logger.logHyperparams({ lr: 0.01, layers: [4, 2], name: 'mlp' });
    expect(parse(await readFile(join(logger.logDir, 'hparams.yaml'), 'utf8'))).toEqual({ lr: 0.01, layers: [4, 2], name: 'mlp' });
  });
});

describe('CSVLogger rows', () => {
  it('sparse rows under the sorted union of keys; the header is rewritten when a key appears', async () => {
    const logger = new CSVLogger({ saveDir: await tempDir() });
    await logger.logMetrics({ train_loss: 0.5, epoch: 0 }, 0);
    await logger.save();
    expect(await readFile(logger.metricsFilePath, 'utf8')).toBe('epoch,step,train_loss\n0,0,0.5\n');
    await logger.logMetrics({ train_loss: 0.25, epoch: 0 }, 1);
    await logger.save();
    await logger.logMetrics({ val_loss: 0.75, epoch: 0 }, 1);
    await logger.save();
    expect(await readFile(logger.metricsFilePath, 'utf8')).toBe('epoch,step,train_loss,val_loss\n0,0,0.5,\n0,1,0.25,\n0,1,,0.75\n');
  });

  it('buffers rows until every flushLogsEveryNSteps-th step (and at save/finalize)', async () => {
    const logger = new CSVLogger({ saveDir: await tempDir(), flushLogsEveryNSteps: 3 });
    await logger.logMetrics({ a: 1 }, 0);
    await logger.logMetrics({ a: 2 }, 1);
    expect(existsSync(logger.metricsFilePath)).toBe(false);
    await logger.logMetrics({ a: 3 }, 2);
    expect(await readFile(logger.metricsFilePath, 'utf8')).toBe('a,step\n1,0\n2,1\n3,2\n');
    await logger.logMetrics({ a: 4 }, 3);
    await logger.finalize('success');
    expect(await readFile(logger.metricsFilePath, 'utf8')).toBe('a,step\n1,0\n2,1\n3,2\n4,3\n');
  });

  it('prefixes metric names (not step), quotes awkward names and writes non-finite values', async () => {
    const logger = new CSVLogger({ saveDir: await tempDir(), prefix: 'run1' });
    await logger.logMetrics({ 'loss,"weird"': Number.NaN, epoch: 0, acc: Infinity }, 0);
    await logger.save();
    expect(await readFile(logger.metricsFilePath, 'utf8')).toBe('run1-acc,run1-epoch,"run1-loss,""weird""",step\nInfinity,0,NaN,0\n');
  });

  it('replaces a metrics.csv left in a reused version folder, with a notice', async () => {
    const dir = await tempDir();
    const lines: string[] = [];
    const first = new CSVLogger({ saveDir: dir, version: 0, ...quiet });
    await first.logMetrics({ a: 1 }, 0);
    await first.save();
    const second = new CSVLogger({ saveDir: dir, version: 0, print: (l) => lines.push(l) });
    await second.logMetrics({ b: 2 }, 0);
    await second.save();
    expect(await readFile(second.metricsFilePath, 'utf8')).toBe('b,step\n2,0\n');
    expect(lines[0]).toMatch(/exists and is replaced/);
  });
});

describe('CSVLogger resume', () => {
  /** Logs steps [from, to) as a trainer would: a step row each step, an epoch row every 4th. */
  async function logSteps(logger: CSVLogger, from: number, to: number): Promise<void> {
    for (let step = from; step < to; step++) {
      await logger.logMetrics({ loss: step / 10, epoch: Math.floor(step / 4) }, step);
      if (step % 4 === 3) {
        await logger.logMetrics({ val_loss: step, epoch: Math.floor(step / 4) }, step);
        await logger.save();
      }
    }
  }

  it('continues the same folder and file with no duplicated or missing rows', async () => {
    const dir = await tempDir();
    const reference = new CSVLogger({ saveDir: dir, name: 'reference', flushLogsEveryNSteps: 3 });
    await logSteps(reference, 0, 12);
    await reference.finalize('success');

    const first = new CSVLogger({ saveDir: dir, flushLogsEveryNSteps: 3 });
    await logSteps(first, 0, 6);
    // Checkpoint after step 5: rows of steps 0-2 and the epoch row are written, steps 4-5 still buffered.
    const state = JSON.parse(JSON.stringify(first.stateDict())) as Record<string, unknown>;
    await logSteps(first, 6, 10); // logged after the checkpoint, then the process dies
    await first.save();
    await appendFile(first.metricsFilePath, '0.95,2,'); // and a torn last line

    await mkdir(join(dir, 'lightning_logs', 'version_5')); // another run started since: the resume must not follow it
    const resumed = new CSVLogger({ saveDir: dir, flushLogsEveryNSteps: 3 });
    await resumed.loadStateDict(state);
    expect(resumed.logDir).toBe(first.logDir);
    await logSteps(resumed, 6, 12);
    await resumed.finalize('success');
    expect(await readFile(resumed.metricsFilePath, 'utf8')).toBe(await readFile(reference.metricsFilePath, 'utf8'));
  });

  it('says so when rows written before the checkpoint are gone', async () => {
    const dir = await tempDir();
    const first = new CSVLogger({ saveDir: dir, flushLogsEveryNSteps: 1 });
    await first.logMetrics({ a: 1 }, 0);
    await first.logMetrics({ a: 2 }, 1);
    const state = first.stateDict();
    await writeFile(first.metricsFilePath, 'a,step\n1,0\n');
    const lines: string[] = [];
    const resumed = new CSVLogger({ saveDir: dir, print: (l) => lines.push(l) });
    await resumed.loadStateDict(state);
    expect(lines[0]).toMatch(/holds 1 of the 2 rows/);
  });
});
