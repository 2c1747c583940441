import { appendFile, mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { crc32c as awsCrc32c } from '@aws-crypto/crc32c';
import { crc32c as polyCrc32c } from 'polycrc';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Callback, resetRandom, type LightningModule, type Trainer } from '@cairn/core';
import { CSVLogger, HistogramMonitor, LearningRateMonitor, readTensorBoardRun, TensorBoardLogger } from '@cairn/callbacks';
import { parseRows } from '../src/csv-logger/csv-text.js';
import { frameRecord, maskedCrc32c, scanRecords } from '../src/tensorboard/record-framing.js';
import { decodeHparams, readEventDir, readRecords, scalarsOf, type DecodedEvent } from './helpers/tfevents-reader.js';
import { CrashAfterStep, loaders, SaveAtStep, testTrainer, TinyRegressor } from './helpers/tiny-module.js';

afterEach(() => resetRandom());

const tempDir = (): Promise<string> => mkdtemp(join(tmpdir(), 'cairn-tb-'));

/** Records each weight's values at every epoch end, to check the histograms against. */
class WeightRecorder extends Callback {
  readonly seen: { step: number; name: string; values: Float32Array }[] = [];
  override async onTrainEpochEnd(trainer: Trainer, module: LightningModule): Promise<void> {
    for (const { name, variable } of module.namedWeights()) this.seen.push({ step: trainer.globalStep - 1, name, values: (await variable.data()) as Float32Array });
  }
}

function pluginEvents(events: readonly DecodedEvent[], tag: string): Record<string, unknown>[] {
  return events.flatMap((e) => (e.summary?.value ?? []).filter((v) => v.tag === tag).map((v) => decodeHparams(v.metadata!.plugin_data!.content)));
}

describe('TFRecord framing', () => {
  it('uses CRC-32C (test vector) masked as TensorFlow does', () => {
    const digits = new TextEncoder().encode('123456789');
    expect(awsCrc32c(digits)).toBe(0xe3069283);
    expect(polyCrc32c(digits)).toBe(0xe3069283);
    // mask(c) = rotate right by 15, plus 0xa282ead8.
    const c = 0xe3069283;
    expect(maskedCrc32c(digits)).toBe(((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0);
  });

  it('frames records the independent reader accepts, and the scanner stops at a torn or corrupt tail', () => {
    const a = frameRecord(new Uint8Array([1, 2, 3]));
    const b = frameRecord(new Uint8Array(300).fill(7));
    const whole = new Uint8Array([...a, ...b]);
    expect(readRecords(whole).map((r) => r.length)).toEqual([3, 300]);
    expect(scanRecords(whole).validLength).toBe(whole.length);
    expect(scanRecords(whole.subarray(0, whole.length - 1))).toMatchObject({ validLength: a.length, problem: expect.stringContaining('torn') });
    const flipped = whole.slice();
    flipped[a.length + 20] ^= 1;
    expect(scanRecords(flipped)).toMatchObject({ validLength: a.length, problem: expect.stringContaining('data CRC') });
    expect(() => readRecords(flipped)).toThrow('data crc mismatch');
  });
});

describe('TensorBoardLogger in a real fit', () => {
  it('writes every logged value at its step, the learning rate, weight histograms and hparams', async () => {
    const saveDir = await tempDir();
    const tb = new TensorBoardLogger({ saveDir, maxQueue: 3 });
    const csv = new CSVLogger({ saveDir, name: 'csv' });
    const recorder = new WeightRecorder();
    const trainer = testTrainer({ maxEpochs: 4, logEveryNSteps: 2, logger: [tb, csv], callbacks: [new LearningRateMonitor(), new HistogramMonitor({ everyNEpochs: 2 }), recorder] });
    const { train, val } = loaders();
    await trainer.fit(new TinyRegressor(), train, val);

    expect(tb.logDir).toBe(join(saveDir, 'lightning_logs', 'version_0'));
    const { files, events } = await readEventDir(tb.logDir);
    expect(files).toHaveLength(1);
    expect(events[0]).toMatchObject({ file_version: 'brain.Event:2' });

    // Every value CSVLogger got, in the same order, at the same step (float32 as TensorBoard stores it).
    const fromCsv = parseRows(await readFile(csv.metricsFilePath, 'utf8')).rows.flatMap((row) =>
      Object.entries(row).filter(([key]) => key !== 'step').sort(([a], [b]) => a.localeCompare(b)).map(([key, value]) => [Number(row.step), key, Math.fround(Number(value))] as [number, string, number]));
    const fromTb = scalarsOf(events).map(([step, tag, value]) => [step, tag, value] as [number, string, number]);
    const sortWithinStep = (rows: [number, string, number][]): string[] => rows.map((r) => JSON.stringify(r)).sort();
    expect(sortWithinStep(fromTb)).toEqual(sortWithinStep(fromCsv));
    expect(fromTb.filter(([, tag]) => tag === 'lr-SGD').map(([, , v]) => v)).toEqual(fromTb.filter(([, tag]) => tag === 'lr-SGD').map(() => Math.fround(0.05)));
    expect(new Set(fromTb.map(([, tag]) => tag))).toEqual(new Set(['epoch', 'lr-SGD', 'train_loss_step', 'train_loss_epoch', 'val_loss']));

    // Histograms after epochs 2 and 4 (0-based 1 and 3), of each weight, matching its values then.
    const histograms = events.flatMap((e) => (e.summary?.value ?? []).filter((v) => v.histo !== undefined).map((v) => ({ step: e.step, tag: v.tag, histo: v.histo as Record<string, number | number[]> })));
    const names = ['net.0.kernel', 'net.0.bias', 'net.1.kernel', 'net.1.bias'];
    expect(histograms.map((h) => [h.step, h.tag])).toEqual([9, 19].flatMap((step) => names.map((name) => [step, name])));
    for (const h of histograms) {
      const values = [...recorder.seen.find((s) => s.step === h.step && s.name === h.tag)!.values];
      expect(h.histo.num).toBe(values.length);
      expect(h.histo.min).toBe(Math.min(...values));
      expect(h.histo.max).toBe(Math.max(...values));
      expect(h.histo.sum).toBeCloseTo(values.reduce((a, b) => a + b, 0), 12);
      expect(h.histo.sum_squares).toBeCloseTo(values.reduce((a, b) => a + b * b, 0), 12);
      const buckets = h.histo.bucket as number[];
      const limits = h.histo.bucket_limit as number[];
      expect(buckets).toHaveLength(30);
      expect(buckets.reduce((a, b) => a + b, 0)).toBe(values.length);
      // Each value lies in its bucket: count the values at or under each limit.
      limits.forEach((limit, i) => expect(buckets.slice(0, i + 1).reduce((a, b) => a + b, 0)).toBe(values.filter((v) => v <= limit).length));
    }

    // hparams: session start with the module's hyper-parameters, experiment listing every metric, successful end.
    // (google.protobuf.Value comes from protobufjs's bundled struct.proto, which is camelCase whatever keepCase says.)
    expect(pluginEvents(events, '_hparams_/session_start_info')).toEqual([{ session_start_info: { hparams: { lr: { numberValue: 0.05 }, hidden: { numberValue: 4 } }, start_time_secs: expect.any(Number) } }]);
    const [experiment] = pluginEvents(events, '_hparams_/experiment') as { experiment: { hparam_infos: unknown[]; metric_infos: { name: { tag: string } }[] } }[];
    expect(experiment!.experiment.hparam_infos).toEqual([{ name: 'lr', type: 'DATA_TYPE_FLOAT64' }, { name: 'hidden', type: 'DATA_TYPE_FLOAT64' }]);
    expect(experiment!.experiment.metric_infos.map((m) => m.name.tag)).toEqual(['epoch', 'lr-SGD', 'train_loss_epoch', 'train_loss_step', 'val_loss']);
    expect(pluginEvents(events, '_hparams_/session_end_info')).toEqual([{ session_end_info: { status: 'STATUS_SUCCESS', end_time_secs: expect.any(Number) } }]);
    expect(parse(await readFile(join(tb.logDir, 'hparams.yaml'), 'utf8'))).toEqual({ lr: 0.05, hidden: 4 });
    tf.disposeVariables();
  });

  it('a resumed run continues the same file: the same events as an uninterrupted run, none twice', async () => {
    const fit = async (saveDir: string, callbacks: Callback[], ckptPath?: string): Promise<TensorBoardLogger> => {
      const logger = new TensorBoardLogger({ saveDir, maxQueue: 2, print: () => undefined });
      const { train, val } = loaders();
      await testTrainer({ maxEpochs: 3, logEveryNSteps: 1, logger, callbacks: [...callbacks, new HistogramMonitor()] }).fit(new TinyRegressor(), train, val, { ckptPath });
      return logger;
    };
    const reference = await fit(await tempDir(), []);
    const expected = (await readEventDir(reference.logDir)).events;

    const dir = await tempDir();
    const path = join(dir, 'step-7.ckpt');
    // Step 7 is mid-epoch: some events are buffered; later ones (0-based steps 7 and 8) reach the file before the crash.
    await expect(fit(dir, [new SaveAtStep(7, path), new CrashAfterStep(9)])).rejects.toThrow('simulated crash');
    const crashed = await readEventDir(join(dir, 'lightning_logs', 'version_0'));
    expect(scalarsOf(crashed.events).some(([step]) => step === 8)).toBe(true);
    // A crash mid-append leaves a torn record: the resume cuts it too.
    await appendFile(join(dir, 'lightning_logs', 'version_0', crashed.files[0]!), new Uint8Array([9, 0, 0]));
    const resumed = await fit(dir, [], path);
    expect(resumed.logDir).toBe(join(dir, 'lightning_logs', 'version_0'));
    const actual = await readEventDir(resumed.logDir);
    expect(actual.files).toEqual(crashed.files);
    const comparable = (events: readonly DecodedEvent[]): unknown[] =>
      events.map(({ wall_time: _w, ...rest }) => JSON.parse(JSON.stringify(rest, (key, value: unknown) => (key.endsWith('time_secs') || key === 'content' ? undefined : value))) as unknown);
    // One restart marker (SessionLog START) right after the events kept from before the
    // checkpoint, at the step after the last of them; without it, the events are the uninterrupted run's.
    const markers = actual.events.filter((e) => e.session_log !== undefined);
    expect(markers).toHaveLength(1);
    const before = actual.events.slice(0, actual.events.indexOf(markers[0]!));
    expect(markers[0]).toMatchObject({ step: Math.max(...before.map((e) => e.step ?? 0)) + 1, session_log: { status: 1 } });
    expect(markers[0]!.step).toBeGreaterThan(0);
    expect(comparable(actual.events.filter((e) => e !== markers[0]))).toEqual(comparable(expected));
    // The package's own reader (used by `cairn report`) sees the same scalars and the marker.
    const read = await readTensorBoardRun(resumed.logDir);
    expect(read.resumes).toEqual([markers[0]!.step]);
    expect(read.scalars.map((p) => [p.step, p.tag, p.value])).toEqual(scalarsOf(actual.events).map(([step, tag, value]) => [step ?? 0, tag, value]));
    expect(read.problems).toEqual([]);
    // The hparams session start is in the file once.
    expect(pluginEvents(actual.events, '_hparams_/session_start_info')).toHaveLength(1);
  });

  it('refuses bad options, naming them', () => {
    expect(() => new TensorBoardLogger({ saveDir: '' })).toThrow('TensorBoardLogger: saveDir must be a non-empty path');
    expect(() => new TensorBoardLogger({ saveDir: 'x', maxQueue: 0 })).toThrow('maxQueue must be a positive integer');
    expect(() => new TensorBoardLogger({ saveDir: 'x', histogramBuckets: 1.5 })).toThrow('histogramBuckets must be a positive integer');
    expect(() => new TensorBoardLogger({ saveDir: 'x', name: '../up' })).toThrow('name must be a plain folder name');
    expect(() => new TensorBoardLogger({ saveDir: 'x', flushSecs: 3 } as never)).toThrow("unknown option 'flushSecs'");
    expect(() => new HistogramMonitor({ everyNEpochs: 0 })).toThrow("option 'everyNEpochs' must be a positive integer");
    expect(() => new HistogramMonitor({ histogramFreq: 1 } as never)).toThrow("unknown option 'histogramFreq'");
  });

  it('versions: a second logger in the same saveDir takes version_1, and prefix prefixes the tags', async () => {
    const saveDir = await tempDir();
    for (const prefix of ['', 'run']) {
      const logger = new TensorBoardLogger({ saveDir, prefix });
      await logger.logMetrics({ loss: 1.5 }, 4);
      await logger.finalize('success');
    }
    expect((await readdir(join(saveDir, 'lightning_logs'))).sort()).toEqual(['version_0', 'version_1']);
    expect(scalarsOf((await readEventDir(join(saveDir, 'lightning_logs', 'version_1'))).events)).toEqual([[4, 'run-loss', 1.5]]);
  });
});
