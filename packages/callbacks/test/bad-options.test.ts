import { Writable } from 'node:stream';
import * as tf from '@tensorflow/tfjs';
import { CosineAnnealingLR, DataLoader, ExponentialLR, LambdaLR, ModelCheckpoint, ProgressBar, ReduceLROnPlateau, StepLR, Trainer, type ModelCheckpointOptions, type ProgressBarOptions } from '@cairn/core';
import { describe, expect, it } from 'vitest';
import { CSVLogger, type CSVLoggerOptions } from '../src/csv-logger/csv-logger.js';
import { EarlyStopping, type EarlyStoppingOptions } from '../src/early-stopping/early-stopping.js';
import { LambdaCallback, type LambdaHooks } from '../src/lambda-callback.js';
import { RemoteMonitor, type RemoteMonitorOptions } from '../src/remote-monitor.js';
import { LearningRateMonitor } from '../src/learning-rate-monitor.js';
import { TerminateOnNaN, type TerminateOnNaNOptions } from '../src/terminate-on-nan.js';
import { Timer, type TimerOptions } from '../src/timer/timer.js';

/** One invalid input and the words its error must contain (same shape as @cairn/core's bad-input table). */
interface BadInput {
  option: string;
  value: unknown;
  accepts: string;
}

// The runner mirrors packages/core/test/faults/lib/bad-input.ts: TypeScript's rootDir keeps a
// package's tests from importing another package's test files.
const title = (row: BadInput): string => {
  const { value } = row;
  const shown = typeof value === 'string' ? JSON.stringify(value) : typeof value === 'number' || value === undefined ? String(value) : JSON.stringify(value);
  return `${row.option} = ${shown}`;
};

/** Asserts that `make` throws an Error naming the option and the accepted values. */
async function expectClearRefusal(make: () => unknown, row: BadInput): Promise<void> {
  let caught: unknown;
  try {
    await make();
  } catch (error) {
    caught = error;
  }
  expect(caught, `${title(row)} was accepted`).toBeInstanceOf(Error);
  expect((caught as Error).message).toContain(row.option);
  expect((caught as Error).message).toContain(row.accepts);
}

const rows = (option: string, values: readonly unknown[], accepts: string): BadInput[] => values.map((value) => ({ option, value, accepts }));
const cases = (table: readonly BadInput[]): (readonly [string, BadInput])[] => table.map((row) => [title(row), row] as const);

const EARLY_STOPPING: BadInput[] = [
  ...rows('monitor', ['', 5, undefined], 'a non-empty metric name'),
  ...rows('mode', ['minimum', 'MAX', 1], "'min' or 'max'"),
  ...rows('patience', [-1, 1.5, Number.NaN], 'a non-negative integer'),
  ...rows('minDelta', [Number.NaN, Infinity, '0.1'], 'a finite number'),
  ...rows('startFromEpoch', [-1, 0.5], 'a non-negative integer'),
  ...rows('stoppingThreshold', [Number.NaN, -Infinity, '1'], 'a finite number'),
  ...rows('divergenceThreshold', [Infinity, '2'], 'a finite number'),
  ...rows('baseline', [Number.NaN, {}], 'a finite number'),
  ...rows('verbose', ['yes', 1], 'a boolean'),
  ...rows('strict', ['false', 0, null], 'a boolean'),
  ...rows('checkFinite', [1, 'true'], 'a boolean'),
  ...rows('checkOnTrainEpochEnd', ['epoch', 0], 'a boolean'),
  ...rows('restoreBestWeights', ['best', 1], 'a boolean'),
  ...rows('print', ['stderr'], 'a function'),
];

const CSV_LOGGER: BadInput[] = [
  ...rows('saveDir', ['', 5, undefined], 'a non-empty path'),
  ...rows('flushLogsEveryNSteps', [0, -1, 1.5], 'a positive integer'),
  ...rows('version', [-1, 1.5, '..', '.', 'a/b', '../escape', 'a\\b', 'nul\0', '', '/abs', true], 'a non-negative integer or a folder name'),
  ...rows('name', ['..', '.', '../x', 'a/b', '/tmp/abs', 'a\\b', 'C:\\abs', 'nul\0', 5, null], 'a plain folder name'),
  ...rows('prefix', [5, null], 'a string'),
];

const TIMER: BadInput[] = [
  ...rows('interval', ['batch', 'steps', 1], "'step' or 'epoch'"),
  ...rows('maxTime', ['00:12:00', '1 hour', '00:01:60:00x', true, null], "must be milliseconds, a 'DD:HH:MM:SS' string, a duration such as '90s'"),
  ...rows('maxTime', [-5, Number.NaN, Infinity, { hours: -1 }], 'a non-negative finite duration'),
  ...rows('maxTime', [{ weeks: 1 }], 'unknown parts weeks; use days, hours, minutes, seconds, milliseconds'),
];

TIMER.push(...rows('verbose', ['no', 0], 'a boolean'));

const TERMINATE_ON_NAN: BadInput[] = [...rows('monitor', ['loss', [''], [5], {}], 'an array of metric names'), ...rows('raiseError', ['yes', 1], 'a boolean')];

const REMOTE_MONITOR: BadInput[] = [
  ...rows('timeoutMs', [0, -1, Number.NaN, Infinity, '5', null], 'a positive finite number'),
  ...rows('root', ['not a url', '', 'ftp://x', 'file:///tmp/metrics', 'ws://localhost:9000', 5], 'an http(s) URL'),
  ...rows('path', [5], 'a string'),
  ...rows('field', ['', 3], 'a non-empty form field name'),
  ...rows('sendAsJson', ['yes', 0], 'a boolean'),
  ...rows('headers', [[], { 'X-Token': 5 }], 'an object of string values'),
];

const MODEL_CHECKPOINT: BadInput[] = [
  ...rows('dirpath', ['ckpt\0s', 5, null], 'must be a path'),
  ...rows('filename', [5, null], 'a string'),
  ...rows('monitor', ['', 5], 'a metric name'),
  ...rows('saveLast', ['yes', 1, 'symlink'], "true, false or 'link'"),
  ...rows('mode', ['minimum', 'MAX', 1], "'min' or 'max'"),
  ...rows('saveTopK', [-2, 1.5, '3', Number.NaN], 'an integer >= -1'),
  ...rows('everyNTrainSteps', [-1, 0.5, '10'], 'an integer >= 0'),
  ...rows('everyNEpochs', [-1, 2.5, '1'], 'an integer >= 0'),
  ...rows('trainTimeInterval', ['15 minutes', '1h30', true], "must be milliseconds, a 'DD:HH:MM:SS' string, a duration such as '90s'"),
  ...rows('trainTimeInterval', [-5, Number.NaN, Infinity], 'a non-negative finite duration'),
  ...rows('minimumInterval', ['soon', null], "must be milliseconds, a 'DD:HH:MM:SS' string, a duration such as '90s'"),
  ...rows('minimumInterval', [-1, Infinity], 'a non-negative finite duration'),
  ...['verbose', 'saveWeightsOnly', 'autoInsertMetricName', 'enableVersionCounter', 'saveOnException', 'async', 'saveOnTrainEpochEnd'].flatMap((option) => rows(option, ['yes', 1, null], 'a boolean')),
  ...rows('print', ['stderr', 5], 'a function'),
];

/** A stream that swallows what it is given (ProgressBar needs a write method). */
const sink = (): Writable => new Writable({ write: (_chunk, _encoding, done) => done() });

const PROGRESS_BAR: BadInput[] = [
  ...rows('stream', [5, 'stderr', {}], 'a write(chunk) method'),
  ...rows('refreshRate', [-1, Number.NaN, Infinity, '100'], 'a finite number of milliseconds >= 0'),
  ...rows('leave', ['yes', 1, null], 'a boolean'),
];

describe('bad input: callbacks', () => {
  it.each(cases(EARLY_STOPPING))('EarlyStopping %s', async (_t, row) => {
    await expectClearRefusal(() => new EarlyStopping({ monitor: 'val_loss', [row.option]: row.value } as EarlyStoppingOptions), row);
  });

  it.each(cases(CSV_LOGGER))('CSVLogger %s', async (_t, row) => {
    await expectClearRefusal(() => new CSVLogger({ saveDir: 'logs', [row.option]: row.value } as CSVLoggerOptions), row);
  });

  it.each(cases(TIMER))('Timer %s', async (_t, row) => {
    await expectClearRefusal(() => new Timer({ [row.option]: row.value } as TimerOptions), row);
  });

  it.each(cases(TERMINATE_ON_NAN))('TerminateOnNaN %s', async (_t, row) => {
    await expectClearRefusal(() => new TerminateOnNaN({ [row.option]: row.value } as TerminateOnNaNOptions), row);
  });

  it.each(cases(REMOTE_MONITOR))('RemoteMonitor %s', async (_t, row) => {
    await expectClearRefusal(() => new RemoteMonitor({ [row.option]: row.value } as RemoteMonitorOptions), row);
  });

  it.each(cases(MODEL_CHECKPOINT))('ModelCheckpoint %s', async (_t, row) => {
    await expectClearRefusal(() => new ModelCheckpoint({ [row.option]: row.value } as ModelCheckpointOptions), row);
  });

  it('ModelCheckpoint: combinations that cannot work', async () => {
    await expectClearRefusal(() => new ModelCheckpoint({ everyNTrainSteps: 10, everyNEpochs: 1 }), { option: 'everyNTrainSteps=10, everyNEpochs=1', value: 10, accepts: 'should be mutually exclusive' });
    await expectClearRefusal(() => new ModelCheckpoint({ saveTopK: 3 }), { option: 'saveTopK=3', value: 3, accepts: 'without monitor is not a valid configuration' });
    await expectClearRefusal(() => new ModelCheckpoint(null as unknown as ModelCheckpointOptions), { option: 'options', value: null, accepts: 'an object' });
  });

  it.each(cases(PROGRESS_BAR))('ProgressBar %s', async (_t, row) => {
    await expectClearRefusal(() => new ProgressBar({ stream: sink(), [row.option]: row.value } as ProgressBarOptions), row);
  });

  it('LambdaCallback: a misspelt hook, a hook that is not a function, hooks that are not an object', async () => {
    const fn = (): void => undefined;
    await expectClearRefusal(() => new LambdaCallback({ onTrainEpochEn: fn } as LambdaHooks), { option: "'onTrainEpochEn'", value: fn, accepts: 'is not a hook; hooks are ' });
    await expectClearRefusal(() => new LambdaCallback({ onFitStart: 5 } as unknown as LambdaHooks), { option: "hook 'onFitStart'", value: 5, accepts: 'must be a function' });
    await expectClearRefusal(() => new LambdaCallback(null as unknown as LambdaHooks), { option: 'hook', value: null, accepts: 'an object of hook functions' });
  });

  it.each<[string, () => unknown, RegExp]>([
    ['a LambdaCallback hook that is a class instance', () => new LambdaCallback({ onFitStart: new EarlyStopping({ monitor: 'x' }) } as unknown as LambdaHooks), /hook 'onFitStart' must be a function, got an EarlyStopping/],
    ['LambdaCallback hooks that are a string', () => new LambdaCallback('onFitStart' as unknown as LambdaHooks), /pass an object of hook functions, got the string "onFitStart"/],
    ['a TerminateOnNaN monitor that is a string', () => new TerminateOnNaN({ monitor: 'loss' as never }), /monitor must be an array of metric names, got the string "loss"/],
    ['RemoteMonitor headers that are a Map', () => new RemoteMonitor({ headers: new Map() as never }), /headers must be an object of string values, got a Map/],
  ])('%s: the error names what it got', (_label, make, message) => {
    expect(make).toThrow(message);
  });

  it('ProgressBar: explicit nulls and options that are not an object', async () => {
    await expectClearRefusal(() => new ProgressBar({ stream: null } as unknown as ProgressBarOptions), { option: "'stream'", value: null, accepts: 'must have a write(chunk) method' });
    await expectClearRefusal(() => new ProgressBar({ stream: sink(), refreshRate: null } as unknown as ProgressBarOptions), { option: "'refreshRate'", value: null, accepts: 'a finite number of milliseconds' });
    await expectClearRefusal(() => new ProgressBar(null as unknown as ProgressBarOptions), { option: 'options', value: null, accepts: 'an object' });
  });

  // A misspelt key would silently run with the default: every options object refuses it at
  // construction, naming the key, through one helper (@cairn/core's rejectUnknownOptions).
  const sgd = (): tf.Optimizer => tf.train.sgd(0.1);
  it.each<[string, () => unknown, string]>([
    ['ModelCheckpoint', () => new ModelCheckpoint({ monitr: 'val_loss' } as ModelCheckpointOptions), 'monitr'],
    ['ProgressBar', () => new ProgressBar({ stream: sink(), refresh_rate: 5 } as ProgressBarOptions), 'refresh_rate'],
    ['EarlyStopping', () => new EarlyStopping({ monitor: 'val_loss', min_delta: 0.1 } as EarlyStoppingOptions), 'min_delta'],
    ['CSVLogger', () => new CSVLogger({ saveDir: 'logs', flushLogsEveryNStep: 5 } as CSVLoggerOptions), 'flushLogsEveryNStep'],
    ['Timer', () => new Timer({ duration: '00:01:00:00' } as TimerOptions), 'duration'],
    ['LearningRateMonitor', () => new LearningRateMonitor({ logging_interval: 'step' } as never), 'logging_interval'],
    ['RemoteMonitor', () => new RemoteMonitor({ url: 'http://x' } as RemoteMonitorOptions), 'url'],
    ['TerminateOnNaN', () => new TerminateOnNaN({ monitors: ['loss'] } as TerminateOnNaNOptions), 'monitors'],
    ['LambdaCallback', () => new LambdaCallback({}, { state_key: 'x' } as never), 'state_key'],
    ['StepLR', () => new StepLR(sgd(), { stepSize: 1, step_size: 2 } as never), 'step_size'],
    ['ExponentialLR', () => new ExponentialLR(sgd(), { gamma: 0.5, gama: 1 } as never), 'gama'],
    ['CosineAnnealingLR', () => new CosineAnnealingLR(sgd(), { tMax: 3, T_max: 3 } as never), 'T_max'],
    ['LambdaLR', () => new LambdaLR(sgd(), { lrLambda: () => 1, lr_lambda: 1 } as never), 'lr_lambda'],
    ['ReduceLROnPlateau', () => new ReduceLROnPlateau(sgd(), { min_lr: 0.1 } as never), 'min_lr'],
    ['DataLoader', () => new DataLoader([1, 2, 3] as never, { batch_size: 2 } as never), 'batch_size'],
    ['Trainer', () => new Trainer({ maxEpoch: 3 } as never), 'maxEpoch'],
  ])('%s refuses an unknown option, naming it', (owner, make, key) => {
    expect(make).toThrow(`${owner}: unknown option '${key}'; the options are `);
  });
});
