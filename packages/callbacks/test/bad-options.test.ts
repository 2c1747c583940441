import { describe, expect, it } from 'vitest';
import { CSVLogger, type CSVLoggerOptions } from '../src/csv-logger/csv-logger.js';
import { EarlyStopping, type EarlyStoppingOptions } from '../src/early-stopping/early-stopping.js';
import { LambdaCallback, type LambdaHooks } from '../src/lambda-callback.js';
import { RemoteMonitor, type RemoteMonitorOptions } from '../src/remote-monitor.js';
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
];

const CSV_LOGGER: BadInput[] = [
  ...rows('saveDir', ['', 5, undefined], 'a non-empty path'),
  ...rows('flushLogsEveryNSteps', [0, -1, 1.5], 'a positive integer'),
  ...rows('version', [-1, 1.5, '..', '.', 'a/b', '../escape', 'a\\b', 'nul\0'], 'a non-negative integer or a folder name'),
];

const TIMER: BadInput[] = [
  ...rows('interval', ['batch', 'steps', 1], "'step' or 'epoch'"),
  ...rows('maxTime', ['00:12:00', '1 hour', '00:01:60:00x'], 'DD:HH:MM:SS'),
  ...rows('maxTime', [-5, Number.NaN, Infinity, { hours: -1 }], 'a non-negative finite duration'),
  ...rows('maxTime', [{ weeks: 1 }], 'unknown parts weeks; use days, hours, minutes, seconds, milliseconds'),
  ...rows('maxTime', [true, null], "a 'DD:HH:MM:SS' string, an object of parts or milliseconds"),
];

const TERMINATE_ON_NAN: BadInput[] = rows('monitor', ['loss', [''], [5], {}], 'an array of metric names');

const REMOTE_MONITOR: BadInput[] = [
  ...rows('timeoutMs', [0, -1, Number.NaN], 'must be positive'),
  ...rows('root', ['not a url', ''], '(root + path) is not a URL'),
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

  it('LambdaCallback: a misspelt hook, a hook that is not a function, hooks that are not an object', async () => {
    const fn = (): void => undefined;
    await expectClearRefusal(() => new LambdaCallback({ onTrainEpochEn: fn } as LambdaHooks), { option: "'onTrainEpochEn'", value: fn, accepts: 'is not a hook; hooks are ' });
    await expectClearRefusal(() => new LambdaCallback({ onFitStart: 5 } as unknown as LambdaHooks), { option: "hook 'onFitStart'", value: 5, accepts: 'must be a function' });
    await expectClearRefusal(() => new LambdaCallback(null as unknown as LambdaHooks), { option: 'hook', value: null, accepts: 'an object of hook functions' });
  });

  // Not validated, or not named clearly, today (reported to the callbacks' authors, not fixed here).
  it.todo('EarlyStopping: verbose, strict, checkFinite, restoreBestWeights, checkOnTrainEpochEnd accept non-booleans');
  it.todo("CSVLogger: name is not checked ('../x' or an absolute path puts the logs outside saveDir); prefix accepts non-strings");
  it.todo("RemoteMonitor: a non-http root ('ftp://x') is refused without naming root or path; timeoutMs accepts '5' and Infinity (AbortSignal.timeout then throws at the first epoch end)");
  it.todo('TerminateOnNaN / Timer / RemoteMonitor: verbose, raiseError, sendAsJson accept non-booleans');
});
