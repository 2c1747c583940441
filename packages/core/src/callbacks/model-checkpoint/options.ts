import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { MonitorMode } from '../../monitor/mode.js';
import { parseDuration, type Duration } from '../../options/duration.js';
import { rejectUnknownOptions, type OptionKeys } from '../../options/known-options.js';
import { DEFAULT_FILENAME, FILE_EXTENSION, isInside, templateSkeleton } from './filename.js';
import { describeValue } from '../../options/describe-kind.js';
import { isRemoteUrl, normalizeRemoteUrl } from '../../checkpoint/store/remote-storage.js';
import type { RetentionOptions } from './retention.js';
import { resolveRemoteOptions, type RemoteCheckpointOptions, type ResolvedRemoteOptions } from './remote-options.js';

/** Lightning 2.6's ModelCheckpoint options in camelCase, plus Cairn's minimumInterval and async. */
export interface ModelCheckpointOptions {
  /**
   * Folder of the checkpoints; `~` is the home folder. Default (also for ''): `<trainer.logDir>/checkpoints`,
   * resolved at setup. A URL such as `'s3://bucket/prefix'` writes to object storage (see `remote`).
   */
  dirpath?: string;
  /** For a URL dirpath: staging folder, local copies, retries and the storage's own options. */
  remote?: RemoteCheckpointOptions;
  /** Name template, e.g. `'{epoch}-{val_loss:.2f}'` (Python format specs). Default `'{epoch}-{step}'`. */
  filename?: string;
  /** Metric to rank checkpoints by. Unset: the newest checkpoint counts as best. */
  monitor?: string;
  /** Print each decision. Default false. */
  verbose?: boolean;
  /** Also keep `last.ckpt`: true writes it, 'link' makes it a relative symlink to the newest checkpoint. Default false. */
  saveLast?: boolean | 'link';
  /** Keep the k best: 0 none, -1 all. Without monitor only -1, 0 or 1. Default 1. */
  saveTopK?: number;
  /** Write weights and metadata only (not resumable). Default false. */
  saveWeightsOnly?: boolean;
  /** 'min' (default): lower is better; 'max': higher is better. */
  mode?: MonitorMode;
  /** `{val_loss}` renders as `val_loss=0.12`. Default true. */
  autoInsertMetricName?: boolean;
  /** Save every N optimizer steps (0 or unset: off). */
  everyNTrainSteps?: number;
  /** Save when this much training time passed (a Duration: ms, `'15m'`, `'00:01:00:00'`, `{ hours: 1 }`); 0 saves at every step. */
  trainTimeInterval?: Duration;
  /** Save every N epochs (0: off). Default 1 when no trigger is set. */
  everyNEpochs?: number;
  /** Save at the end of the training epoch instead of after validation. Default: Lightning's rule. */
  saveOnTrainEpochEnd?: boolean;
  /** A taken name gets `-v1`, `-v2`, ... instead of being overwritten. Default true. */
  enableVersionCounter?: boolean;
  /** When fit fails with an error, save a checkpoint under the regular name (Lightning 2.6), and `last`. Default false. */
  saveOnException?: boolean;
  /** Cairn: never two saves of this callback closer than this (ms or `'5m'`), whatever triggers them. */
  minimumInterval?: Duration;
  /** Cairn: write in the background (default true); false waits for each file before training on. */
  async?: boolean;
  /** Also keep the N newest ranked saves (rotation, TF's max_to_keep); a save point then always saves. 0 (default): off. */
  keepLastN?: number;
  /** Keep for good a ranked save at least this many hours (wall clock) after the previous one so kept (TF's keep_checkpoint_every_n_hours). */
  keepEveryNHours?: number;
  /** Keep for good a ranked save whose global step is a multiple of this (Orbax's keep_period). */
  keepPeriod?: number;
  /** Where warnings and verbose lines go. Default console.error. */
  print?: (line: string) => void;
}

export interface ResolvedCheckpointOptions {
  dirpath: string | undefined;
  /** Set when dirpath is a URL. */
  remote: ResolvedRemoteOptions | undefined;
  filename: string | undefined;
  monitor: string | undefined;
  verbose: boolean;
  saveLast: boolean | 'link';
  saveTopK: number;
  saveWeightsOnly: boolean;
  mode: MonitorMode;
  autoInsertMetricName: boolean;
  everyNTrainSteps: number;
  /** Milliseconds, or undefined when off. */
  trainTimeInterval: number | undefined;
  everyNEpochs: number;
  saveOnTrainEpochEnd: boolean | undefined;
  enableVersionCounter: boolean;
  saveOnException: boolean;
  minimumInterval: number;
  async: boolean;
  retention: RetentionOptions;
  print: (line: string) => void;
}

const KNOWN: OptionKeys<ModelCheckpointOptions> = {
  dirpath: true,
  remote: true,
  filename: true,
  monitor: true,
  verbose: true,
  saveLast: true,
  saveTopK: true,
  saveWeightsOnly: true,
  mode: true,
  autoInsertMetricName: true,
  everyNTrainSteps: true,
  trainTimeInterval: true,
  everyNEpochs: true,
  saveOnTrainEpochEnd: true,
  enableVersionCounter: true,
  saveOnException: true,
  minimumInterval: true,
  async: true,
  keepLastN: true,
  keepEveryNHours: true,
  keepPeriod: true,
  print: true,
};

/** The folder names are formatted in for a URL dirpath: the same naming and escape checks as a local folder. */
export const REMOTE_NAMING_ROOT = resolve('/cairn-remote-root');

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`ModelCheckpoint: ${message}`);
}

function checkCount(option: string, value: unknown, min: number): asserts value is number {
  check(Number.isSafeInteger(value) && (value as number) >= min, `${option} must be an integer >= ${min}, got ${describeValue(value)}`);
}

function flag(options: ModelCheckpointOptions, key: 'verbose' | 'saveWeightsOnly' | 'autoInsertMetricName' | 'enableVersionCounter' | 'saveOnException' | 'async', fallback: boolean): boolean {
  const value = options[key];
  check(value === undefined || typeof value === 'boolean', `${key} must be a boolean, got ${describeValue(value)}`);
  return value ?? fallback;
}

/**
 * A template whose fixed part already leaves dirpath (`'../victim'`, `'../../{epoch}'`) is refused
 * here; one that leaves only through a metric name is refused when that name is rendered.
 */
function checkTemplateInside(filename: string, dirpath: string): void {
  const rendered = join(dirpath, `${templateSkeleton(filename || DEFAULT_FILENAME)}${FILE_EXTENSION}`);
  check(isInside(rendered, dirpath), `filename ${JSON.stringify(filename)} renders ${JSON.stringify(rendered)}, outside dirpath ${JSON.stringify(dirpath)}`);
}

/**
 * As Lightning: `'~'` and `'~/x'` start at the home folder (Lightning #19058), '' means unset
 * (the trainer's default folder), and the result is absolute.
 */
function expandDirpath(dirpath: string | undefined): string | undefined {
  if (dirpath === undefined || dirpath === '') return undefined;
  if (isRemoteUrl(dirpath)) return normalizeRemoteUrl(dirpath);
  if (dirpath === '~' || dirpath.startsWith('~/')) return resolve(homedir(), `.${dirpath.slice(1)}`);
  return resolve(dirpath);
}

const HOUR_MS = 3_600_000;

function resolveRetention(options: ModelCheckpointOptions, saveTopK: number): RetentionOptions {
  const { keepLastN = 0, keepEveryNHours, keepPeriod } = options;
  checkCount('keepLastN', keepLastN, 0);
  check(keepEveryNHours === undefined || (typeof keepEveryNHours === 'number' && Number.isFinite(keepEveryNHours) && keepEveryNHours > 0), `keepEveryNHours must be a positive number of hours, got ${describeValue(keepEveryNHours)}`);
  if (keepPeriod !== undefined) checkCount('keepPeriod', keepPeriod, 1);
  const active = keepLastN > 0 || keepEveryNHours !== undefined || keepPeriod !== undefined;
  check(!active || saveTopK !== 0, 'keepLastN, keepEveryNHours and keepPeriod keep ranked saves, and saveTopK=0 makes none (set saveTopK to 1 or more)');
  return { keepLastN, keepEveryMs: keepEveryNHours === undefined ? undefined : keepEveryNHours * HOUR_MS, keepPeriod };
}

/** Checks every option and applies Lightning's defaults; invalid combinations throw here, at construction. */
export function resolveCheckpointOptions(options: ModelCheckpointOptions): ResolvedCheckpointOptions {
  rejectUnknownOptions('ModelCheckpoint', options, KNOWN);
  const { filename, monitor, saveLast = false, saveTopK = 1, mode = 'min', saveOnTrainEpochEnd, print } = options;
  check(options.dirpath === undefined || (typeof options.dirpath === 'string' && !options.dirpath.includes('\0')), `dirpath must be a path, got ${describeValue(options.dirpath)}`);
  const dirpath = expandDirpath(options.dirpath);
  check(filename === undefined || typeof filename === 'string', `filename must be a string, got ${describeValue(filename)}`);
  check(filename === undefined || !filename.includes('\0'), `filename must not contain a NUL byte, got ${describeValue(filename)}`);
  const remoteDir = dirpath !== undefined && isRemoteUrl(dirpath);
  check(options.remote === undefined || remoteDir, `remote applies to a URL dirpath such as 's3://bucket/prefix', got dirpath ${describeValue(options.dirpath)}`);
  if (filename !== undefined && dirpath !== undefined) checkTemplateInside(filename, remoteDir ? REMOTE_NAMING_ROOT : dirpath);
  check(monitor === undefined || (typeof monitor === 'string' && monitor.length > 0), `monitor must be a metric name, got ${describeValue(monitor)}`);
  check(saveLast === true || saveLast === false || saveLast === 'link', `saveLast must be true, false or 'link', got ${describeValue(saveLast)}`);
  check(mode === 'min' || mode === 'max', `mode can be 'min' or 'max' but got ${describeValue(mode)}`);
  checkCount('saveTopK', saveTopK, -1);
  check(saveOnTrainEpochEnd === undefined || typeof saveOnTrainEpochEnd === 'boolean', `saveOnTrainEpochEnd must be a boolean, got ${describeValue(saveOnTrainEpochEnd)}`);
  check(print === undefined || typeof print === 'function', 'print must be a function');
  if (options.everyNTrainSteps !== undefined) checkCount('everyNTrainSteps', options.everyNTrainSteps, 0);
  if (options.everyNEpochs !== undefined) checkCount('everyNEpochs', options.everyNEpochs, 0);
  const trainTimeInterval = options.trainTimeInterval === undefined ? undefined : parseDuration('ModelCheckpoint', 'trainTimeInterval', options.trainTimeInterval);

  // Lightning: no trigger given means once per epoch.
  const noTrigger = options.everyNTrainSteps === undefined && options.everyNEpochs === undefined && trainTimeInterval === undefined;
  const everyNEpochs = noTrigger ? 1 : (options.everyNEpochs ?? 0);
  const everyNTrainSteps = options.everyNTrainSteps ?? 0;
  const active = [everyNTrainSteps >= 1, everyNEpochs >= 1, trainTimeInterval !== undefined].filter(Boolean).length;
  check(
    active <= 1,
    `everyNTrainSteps=${everyNTrainSteps}, everyNEpochs=${everyNEpochs} and trainTimeInterval=${options.trainTimeInterval === undefined ? 'undefined' : JSON.stringify(options.trainTimeInterval)} should be mutually exclusive`,
  );
  check(monitor !== undefined || [-1, 0, 1].includes(saveTopK), `saveTopK=${saveTopK} without monitor is not a valid configuration: there is no quantity to rank by (use -1, 0 or 1, or set monitor)`);

  const retention = resolveRetention(options, saveTopK);

  return {
    dirpath,
    remote: remoteDir ? resolveRemoteOptions(options.remote) : undefined,
    filename,
    monitor,
    verbose: flag(options, 'verbose', false),
    saveLast,
    saveTopK,
    saveWeightsOnly: flag(options, 'saveWeightsOnly', false),
    mode,
    autoInsertMetricName: flag(options, 'autoInsertMetricName', true),
    everyNTrainSteps,
    trainTimeInterval,
    everyNEpochs,
    saveOnTrainEpochEnd,
    enableVersionCounter: flag(options, 'enableVersionCounter', true),
    saveOnException: flag(options, 'saveOnException', false),
    minimumInterval: options.minimumInterval === undefined ? 0 : parseDuration('ModelCheckpoint', 'minimumInterval', options.minimumInterval),
    async: flag(options, 'async', true),
    retention,
    print: print ?? ((line) => console.error(line)),
  };
}
