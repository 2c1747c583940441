import { ACCELERATORS, type Accelerator } from '../backend/accelerator.js';
import { checkWebGpuOptions, type WebGpuOptions } from '../backend/webgpu/options.js';
import type { Callback } from '../callbacks/callback.js';
import type { Logger } from '../logger/logger.js';
import { describeValue } from '../options/describe-kind.js';
import { rejectUnknownOptions, type OptionKeys } from '../options/known-options.js';

/** Trainer options, with Lightning's names (camelCased), meanings and defaults. */
export interface TrainerOptions {
  /** Stop after this many epochs. Default 1000 when neither maxEpochs nor maxSteps is set; -1 for no limit. */
  maxEpochs?: number;
  /** Stop after this many optimizer steps. Default -1 (no limit). */
  maxSteps?: number;
  /** Keep training at least this many epochs even when a callback asks to stop. Default 0. */
  minEpochs?: number;
  /** Keep training at least this many optimizer steps even when a callback asks to stop (with minEpochs). Default -1 (none). */
  minSteps?: number;
  /**
   * Train batches per epoch: a fraction (0..1] of the loader or a count. JavaScript has one number
   * type, so 1 means 1.0 (all batches); counts start at 2 (use fastDevRun for a single batch). Default 1.0.
   */
  limitTrainBatches?: number;
  /** Validation batches per run: a fraction (0..1] or a count (>= 2, as limitTrainBatches). 0 disables validation. Default 1.0. */
  limitValBatches?: number;
  /** Test batches per `test` call: a fraction (0..1] or a count (>= 2). Default 1.0. */
  limitTestBatches?: number;
  /** Predict batches per `predict` call: a fraction (0..1] or a count (>= 2). Default 1.0. */
  limitPredictBatches?: number;
  /** Validate every N epochs; null with an integer valCheckInterval counts batches across epochs. Default 1. */
  checkValEveryNEpoch?: number | null;
  /** Validate every fraction (0..1] of an epoch, or every N (>= 2) training batches. Default 1.0. */
  valCheckInterval?: number;
  /** Validation batches run before training as a sanity check; -1 for all. Default 2. */
  numSanityValSteps?: number;
  /** Send step metrics to loggers every N steps. Default 50. */
  logEveryNSteps?: number;
  /** Add a default ModelCheckpoint when none is given. Default true. */
  enableCheckpointing?: boolean;
  /** Show a progress bar (live on a terminal, one line per epoch otherwise). Default true. */
  enableProgressBar?: boolean;
  /** Folder for logs and checkpoints when callbacks/loggers give none. Default the working directory. */
  defaultRootDir?: string;
  /**
   * Backend: 'auto' (a real GPU, tfjs-node, wasm, cpu in that order), 'gpu' (a real GPU or an error),
   * 'webgpu' (Dawn, any adapter), 'tensorflow', 'wasm', 'cpu'. Default 'auto'. See docs/backends.md.
   */
  accelerator?: Accelerator;
  /** Dawn's adapter choice and toggles for 'webgpu' (and the WebGPU route of 'gpu'/'auto'). */
  webgpu?: WebGpuOptions;
  /** Avoid GPU kernels whose summation order varies between runs (webgpu's split-K matmul). Default true. */
  deterministic?: boolean;
  /** Seeds initialisers, dropout and shuffles (see seedEverything). Default: unseeded. */
  seed?: number;
  /** true (1 batch) or N batches of training and validation, 1 epoch, no checkpoints, loggers or sanity check. Default false. */
  fastDevRun?: boolean | number;
  /** Callbacks; a logger placed here (Keras style) is used as a logger. */
  callbacks?: (Callback | Logger)[];
  /** Loggers that receive metrics (a CSVLogger, ...). Default none. */
  logger?: Logger | Logger[] | false;
  /** Where the trainer prints its one-line notices (chosen backend, warnings). Default console.error. */
  print?: (line: string) => void;
}

/** A batch limit after resolution: counts and fractions are told apart (1 alone is ambiguous in JS). */
export type BatchLimit = { fraction: number } | { count: number };

/** The options after defaults and fastDevRun are applied. */
export interface ResolvedTrainerOptions {
  maxEpochs: number;
  maxSteps: number;
  minEpochs: number;
  minSteps: number;
  limitTrainBatches: BatchLimit;
  limitValBatches: BatchLimit;
  limitTestBatches: BatchLimit;
  limitPredictBatches: BatchLimit;
  checkValEveryNEpoch: number | null;
  valCheckInterval: BatchLimit;
  numSanityValSteps: number;
  logEveryNSteps: number;
  enableCheckpointing: boolean;
  enableProgressBar: boolean;
  defaultRootDir: string;
  accelerator: Accelerator;
  webgpu: Readonly<WebGpuOptions>;
  deterministic: boolean;
  seed: number | undefined;
  fastDevRun: number;
}

function fail(option: string, expected: string, got: unknown): never {
  throw new Error(`Trainer: option '${option}' must be ${expected}, got ${describeValue(got)}`);
}

const KNOWN_OPTIONS: OptionKeys<TrainerOptions> = {
  maxEpochs: true,
  maxSteps: true,
  minEpochs: true,
  minSteps: true,
  limitTrainBatches: true,
  limitValBatches: true,
  limitTestBatches: true,
  limitPredictBatches: true,
  checkValEveryNEpoch: true,
  valCheckInterval: true,
  numSanityValSteps: true,
  logEveryNSteps: true,
  enableCheckpointing: true,
  enableProgressBar: true,
  defaultRootDir: true,
  accelerator: true,
  webgpu: true,
  deterministic: true,
  seed: true,
  fastDevRun: true,
  callbacks: true,
  logger: true,
  print: true,
};

const isInt = (v: unknown): v is number => Number.isSafeInteger(v);

function toLimit(option: string, value: number): BatchLimit {
  if (typeof value === 'number' && value > 0 && value <= 1) return { fraction: value };
  if (isInt(value) && value >= 0) return { count: value };
  return fail(option, 'a fraction in (0, 1] or a non-negative integer count', value);
}

/** Applies defaults and checks every option; throws naming the first invalid one. */
export function resolveTrainerOptions(options: TrainerOptions): ResolvedTrainerOptions {
  if (typeof options !== 'object' || options === null) fail('options', 'an object', options);
  const o = options;
  // A typo (maxEpoch) would otherwise silently run with the default.
  rejectUnknownOptions('Trainer', o, KNOWN_OPTIONS);
  const fastDevRunRaw = o.fastDevRun ?? false;
  if (!(typeof fastDevRunRaw === 'boolean' || (isInt(fastDevRunRaw) && fastDevRunRaw >= 0))) {
    fail('fastDevRun', 'a boolean or a non-negative integer', fastDevRunRaw);
  }
  const fastDevRun = fastDevRunRaw === true ? 1 : fastDevRunRaw === false ? 0 : fastDevRunRaw;

  const maxSteps = o.maxSteps ?? -1;
  if (!isInt(maxSteps) || maxSteps < -1) fail('maxSteps', 'an integer >= -1', maxSteps);
  const maxEpochs = o.maxEpochs ?? (maxSteps === -1 ? 1000 : -1);
  if (!isInt(maxEpochs) || maxEpochs < -1) fail('maxEpochs', 'an integer >= -1', maxEpochs);
  const minEpochs = o.minEpochs ?? 0;
  if (!isInt(minEpochs) || minEpochs < 0) fail('minEpochs', 'a non-negative integer', minEpochs);
  if (maxEpochs !== -1 && minEpochs > maxEpochs) fail('minEpochs', `at most maxEpochs (${maxEpochs})`, minEpochs);
  const minSteps = o.minSteps ?? -1;
  if (!isInt(minSteps) || minSteps < -1) fail('minSteps', 'an integer >= -1', minSteps);
  if (maxSteps !== -1 && minSteps > maxSteps) fail('minSteps', `at most maxSteps (${maxSteps})`, minSteps);

  const limitTrainBatches = toLimit('limitTrainBatches', o.limitTrainBatches ?? 1.0);
  const limitValBatches = toLimit('limitValBatches', o.limitValBatches ?? 1.0);
  const limitTestBatches = toLimit('limitTestBatches', o.limitTestBatches ?? 1.0);
  const limitPredictBatches = toLimit('limitPredictBatches', o.limitPredictBatches ?? 1.0);

  const valCheckInterval = o.valCheckInterval ?? 1.0;
  const isFraction = typeof valCheckInterval === 'number' && valCheckInterval > 0 && valCheckInterval <= 1;
  if (!(isFraction || (isInt(valCheckInterval) && valCheckInterval >= 1))) {
    fail('valCheckInterval', 'a fraction in (0, 1] or a positive integer batch count', valCheckInterval);
  }
  const checkValEveryNEpoch = o.checkValEveryNEpoch === undefined ? 1 : o.checkValEveryNEpoch;
  if (checkValEveryNEpoch !== null && (!isInt(checkValEveryNEpoch) || checkValEveryNEpoch < 1)) {
    fail('checkValEveryNEpoch', 'a positive integer or null', checkValEveryNEpoch);
  }
  if (checkValEveryNEpoch === null && !(isInt(valCheckInterval) && valCheckInterval >= 2)) {
    fail('checkValEveryNEpoch', 'a positive integer unless valCheckInterval is a batch count (>= 2)', checkValEveryNEpoch);
  }

  const numSanityValSteps = o.numSanityValSteps ?? 2;
  if (!isInt(numSanityValSteps) || numSanityValSteps < -1) fail('numSanityValSteps', 'an integer >= -1', numSanityValSteps);
  const logEveryNSteps = o.logEveryNSteps ?? 50;
  if (!isInt(logEveryNSteps) || logEveryNSteps < 1) fail('logEveryNSteps', 'a positive integer', logEveryNSteps);
  for (const flag of ['enableCheckpointing', 'enableProgressBar'] as const) {
    if (o[flag] !== undefined && typeof o[flag] !== 'boolean') fail(flag, 'a boolean', o[flag]);
  }
  const defaultRootDir = o.defaultRootDir ?? process.cwd();
  if (typeof defaultRootDir !== 'string' || defaultRootDir.length === 0 || defaultRootDir.includes('\0')) {
    fail('defaultRootDir', 'a non-empty path without NUL bytes', defaultRootDir);
  }
  const accelerator = o.accelerator ?? 'auto';
  if (!ACCELERATORS.includes(accelerator)) fail('accelerator', `one of ${ACCELERATORS.map((a) => `'${a}'`).join(', ')}`, accelerator);
  const webgpu = checkWebGpuOptions(o.webgpu ?? {});
  if (o.deterministic !== undefined && typeof o.deterministic !== 'boolean') fail('deterministic', 'a boolean', o.deterministic);
  if (o.seed !== undefined && (!isInt(o.seed) || o.seed < 0)) fail('seed', 'a non-negative integer', o.seed);
  // callbacks and logger are checked where they are split (callbacks-and-loggers.ts).
  if (o.print !== undefined && typeof o.print !== 'function') fail('print', 'a function', o.print);

  const resolved: ResolvedTrainerOptions = {
    maxEpochs,
    maxSteps,
    minEpochs,
    minSteps,
    limitTrainBatches,
    limitValBatches,
    limitTestBatches,
    limitPredictBatches,
    checkValEveryNEpoch,
    valCheckInterval: isFraction ? { fraction: valCheckInterval } : { count: valCheckInterval },
    numSanityValSteps,
    logEveryNSteps,
    enableCheckpointing: o.enableCheckpointing ?? true,
    enableProgressBar: o.enableProgressBar ?? true,
    defaultRootDir,
    accelerator,
    webgpu,
    deterministic: o.deterministic ?? true,
    seed: o.seed,
    fastDevRun,
  };
  if (fastDevRun > 0) {
    // Lightning's fast_dev_run: a smoke test of every code path, never a real run.
    Object.assign(resolved, {
      maxEpochs: 1,
      maxSteps: fastDevRun,
      limitTrainBatches: { count: fastDevRun },
      limitValBatches: { count: fastDevRun },
      limitTestBatches: { count: fastDevRun },
      limitPredictBatches: { count: fastDevRun },
      numSanityValSteps: 0,
      valCheckInterval: { fraction: 1 },
      checkValEveryNEpoch: 1,
      enableCheckpointing: false,
    });
  }
  return resolved;
}

/**
 * Train batches per epoch. A source without a length runs until it is exhausted (Infinity) or
 * until a count limit; a fraction of an unknown length cannot be taken (Lightning refuses it too).
 */
export function trainBatchesPerEpoch(length: number | undefined, limit: BatchLimit): number {
  if (length !== undefined) return limitBatches(length, limit);
  if ('count' in limit) return limit.count;
  if (limit.fraction === 1) return Infinity;
  throw new Error(`Trainer: limitTrainBatches=${limit.fraction} is a fraction of an epoch, but the training data has no length (an iterable); give a batch count instead`);
}

/** Applies a limit (fraction or count) to a number of batches. */
export function limitBatches(available: number, limit: BatchLimit): number {
  return 'count' in limit ? Math.min(available, limit.count) : Math.floor(available * limit.fraction);
}
