import * as tf from '@tensorflow/tfjs';
import { checkAcceleratorHealth } from '../backend/accelerator-health.js';
import { selectBackend, type BackendInfo } from '../backend/select-backend.js';
import type { Callback } from '../callback/callback.js';
import { HookDispatcher } from '../callback/dispatcher.js';
import type { HookName, Stage } from '../callback/hooks.js';
import { CheckpointIO, type SaveOptions } from '../checkpoint/checkpoint-io.js';
import type { TrainingProgress } from '../checkpoint/checkpoint-state.js';
import { DataLoader } from '../data/data-loader.js';
import { dataModuleLoader, LightningDataModule } from '../data/data-module.js';
import { toEpochSource, type BatchSource, type EpochSource } from '../data/batch-source.js';
import type { Logger } from '../logger/logger.js';
import type { LogOptions, LogValue } from '../metrics/log-options.js';
import { MetricStore, type MetricMap } from '../metrics/metric-store.js';
import { LightningModule as LightningModuleClass, type LightningModule } from '../module/lightning-module.js';
import type { LrSchedulerConfig } from '../optim/lr-scheduler.js';
import { seedEverything } from '../rng/global-random.js';
import { splitCallbacksAndLoggers } from './callbacks-and-loggers.js';
import { gotWrongKind, whereItBelongs } from './where-it-belongs.js';
import { describeKind } from '../options/describe-kind.js';
import { rejectUnknownOptions, type OptionKeys } from '../options/known-options.js';
import { defaultCallbacks } from './default-callbacks.js';
import type { CheckpointReport, FitResult, StopReason } from './fit-result.js';
import { limitBatches, resolveTrainerOptions, type ResolvedTrainerOptions, type TrainerOptions } from './options.js';
import { resolveOptimizers } from './resolve-optimizers.js';
import { runOptimizerStep } from './training-step.js';
import { validationDueAfterStep } from './validation-schedule.js';
import { batchSizeOf } from './batch-size.js';
import { runEvaluation, type EvaluationContext, type EvaluationResult } from './evaluation-loop.js';

export interface FitOptions {
  /** Resume from a checkpoint file, `'last'` (newest valid one) or `'best'` (the ModelCheckpoint's best). */
  ckptPath?: string;
}

/** Options of validate, test and predict. */
export interface EvaluateOptions {
  /**
   * Evaluate the weights of a checkpoint file, `'last'` (newest valid one in the checkpoint
   * folders) or `'best'` (the ModelCheckpoint's best, e.g. after a fit). Default: the module's
   * current weights.
   */
  ckptPath?: string;
}

function isCheckpointReport(value: unknown): value is CheckpointReport {
  return typeof value === 'object' && value !== null && 'bestModelPath' in value && 'bestKModels' in value && 'lastModelPath' in value;
}

/** Runs the loops. Holds the run's public state; callbacks read it and call its public methods. */
export class Trainer {
  readonly options: ResolvedTrainerOptions;
  readonly callbacks: readonly Callback[];
  readonly loggers: readonly Logger[];
  /** Stop at the next opportunity (once minEpochs is met). Set by callbacks such as EarlyStopping. */
  shouldStop = false;
  /** The module being trained or validated. */
  module: LightningModule | undefined;
  optimizer: tf.Optimizer | undefined;
  lrSchedulers: LrSchedulerConfig[] = [];
  /** True while the sanity-check validation runs before training. */
  sanityChecking = false;
  /** What the current call is doing: 'fit', 'validate', or undefined between calls. */
  stage: Stage | undefined;
  backend: BackendInfo | undefined;
  /** Train batches per epoch after limits (Infinity when the source cannot tell). */
  numTrainingBatches = 0;
  /** Validation batches per validation run after limits. */
  numValBatches = 0;
  /** The checkpoint this fit resumed from, if any. */
  ckptPath: string | undefined;
  result: FitResult | undefined;

  private readonly metrics = new MetricStore();
  private readonly dispatcher: HookDispatcher;
  private readonly checkpoints: CheckpointIO;
  private readonly print: (line: string) => void;
  private progress: TrainingProgress = { epoch: 0, globalStep: 0, batchesDone: 0 };
  private currentBatchSize: number | undefined;
  private stepContext = false;
  private currentDataModule: LightningDataModule | undefined;

  constructor(options: TrainerOptions = {}) {
    this.options = resolveTrainerOptions(options);
    this.print = options.log ?? ((line) => console.error(line));
    const { callbacks: given, loggers } = splitCallbacksAndLoggers(options.callbacks, options.logger);
    this.loggers = this.options.fastDevRun > 0 ? [] : loggers;
    this.callbacks = [...given, ...defaultCallbacks(this.options, given)];
    const keys = new Set<string>();
    for (const callback of this.callbacks) {
      if (keys.has(callback.stateKey)) throw new Error(`Trainer: two callbacks share the state key '${callback.stateKey}'; give one of them another configuration or stateKey`);
      keys.add(callback.stateKey);
    }
    this.dispatcher = new HookDispatcher(this, this.callbacks, (hook) => this.publishHookLogs(hook));
    this.checkpoints = new CheckpointIO(this, this.dispatcher, this.print);
    // Seeded here, before the user builds the module, so weight initialisation is reproducible.
    if (this.options.seed !== undefined) seedEverything(this.options.seed);
  }

  get currentEpoch(): number {
    return this.progress.epoch;
  }
  get globalStep(): number {
    return this.progress.globalStep;
  }
  /** Batches of the current epoch already trained. */
  get batchesDone(): number {
    return this.progress.batchesDone;
  }
  /** The LightningDataModule of the current (or last) call, if one was given. */
  get dataModule(): LightningDataModule | undefined {
    return this.currentDataModule;
  }
  get callbackMetrics(): MetricMap {
    return this.metrics.callbackMetrics;
  }
  get loggedMetrics(): MetricMap {
    return this.metrics.loggedMetrics;
  }
  get progressBarMetrics(): MetricMap {
    return this.metrics.progressBarMetrics;
  }
  /** Typed eventemitter3 hub: one event per hook, for code that prefers listeners to callbacks. */
  get events(): HookDispatcher['events'] {
    return this.dispatcher.events;
  }
  get defaultRootDir(): string {
    return this.options.defaultRootDir;
  }
  /** The first logger's folder, else defaultRootDir. */
  get logDir(): string {
    return this.loggers.find((l) => l.logDir !== undefined)?.logDir ?? this.options.defaultRootDir;
  }
  /** Callbacks that write checkpoints and report the best one (ModelCheckpoint). */
  get checkpointCallbacks(): (Callback & CheckpointReport)[] {
    return this.callbacks.filter((c): c is Callback & CheckpointReport => isCheckpointReport(c));
  }
  /** Every checkpoint file written by the current (or last) fit, in order. */
  get checkpointingFiles(): readonly string[] {
    return this.checkpoints.written;
  }

  /**
   * Requests a checkpoint. Inside fit, the state is captured at the end of the current step (after
   * its validation and epoch end, if any), so the file resumes exactly at the next step; the
   * promise resolves when the file is durable. Outside fit, and once the loop is over (after
   * onTrainEnd: onFitEnd, teardown), it is captured at once; fit settles only after it is durable.
   */
  saveCheckpoint(path: string, options: SaveOptions = {}): Promise<string> {
    return this.checkpoints.request(path, options);
  }

  /** Called by `LightningModule.log`. */
  recordLog(name: string, value: LogValue, options: LogOptions): void {
    // As in Lightning: predictions are returned, not logged.
    if (this.stage === 'predict') throw new Error(`log('${name}'): log() is not available in predict; return the values from predictStep instead`);
    this.metrics.log(name, value, options, this.stepContext, options.batchSize ?? this.currentBatchSize);
  }

  /** Trains `module`. Resolves with the result once every checkpoint write is durable. */
  async fit<B>(module: LightningModule<B>, dataModule: LightningDataModule<B>, options?: FitOptions): Promise<FitResult>;
  async fit<B>(module: LightningModule<B>, trainData: BatchSource<B>, valData?: BatchSource<B>, options?: FitOptions): Promise<FitResult>;
  async fit<B>(module: LightningModule<B>, data: BatchSource<B> | LightningDataModule<B>, valOrOptions?: BatchSource<B> | FitOptions, moreOptions?: FitOptions): Promise<FitResult> {
    const { dataModule, trainData, valData, options } = fitArguments(data, valOrOptions, moreOptions);
    checkFitArguments(module, options);
    const m = module as LightningModule;
    let train: EpochSource<unknown> | undefined = trainData === undefined ? undefined : toEpochSource(trainData, 'fit: trainData');
    let val: EpochSource<unknown> | undefined = valData === undefined ? undefined : toEpochSource(valData, 'fit: valData');
    this.begin(m, 'fit', dataModule);
    this.checkpoints.useTrainLoader(trainData instanceof DataLoader ? trainData : undefined);
    let stopReason: StopReason = 'maxEpochs';
    try {
      this.backend = await selectBackend(this.options.accelerator, { log: this.print, webgpu: this.options.webgpu, deterministic: this.options.deterministic });
      // Before setup, where a ModelCheckpoint derives its folder from the logger's.
      if (options.ckptPath === 'last') for (const logger of this.loggers) await logger.resumeLatestRun?.();
      await this.setupStage(m, 'fit');
      if (dataModule !== undefined) {
        const loader = dataModuleLoader(dataModule, 'fit');
        train = toEpochSource(loader, 'fit: trainDataloader()');
        val = dataModule.valDataloader === undefined ? undefined : toEpochSource(dataModule.valDataloader(), 'fit: valDataloader()');
        this.checkpoints.useTrainLoader(loader instanceof DataLoader ? loader : undefined);
      }
      if (train === undefined) throw new Error('fit: no training data');
      await this.checkpoints.claimFolders();
      ({ optimizer: this.optimizer, lrSchedulers: this.lrSchedulers } = resolveOptimizers(m.configureOptimizers()));
      this.numTrainingBatches = train.length === undefined ? Infinity : limitBatches(train.length, this.options.limitTrainBatches);
      this.numValBatches = val === undefined ? 0 : val.length === undefined ? Infinity : limitBatches(val.length, this.options.limitValBatches);
      if (options.ckptPath !== undefined) {
        this.ckptPath = await this.checkpoints.restore(options.ckptPath, m);
      }
      await this.dispatcher.call('onFitStart', m);
      for (const logger of this.loggers) await logger.logHyperparams?.(m.hparams);

      // A resumed run already validated this model: a sanity pass would only overwrite restored metrics.
      if (val !== undefined && this.options.numSanityValSteps !== 0 && this.numValBatches > 0 && this.ckptPath === undefined) {
        this.sanityChecking = true;
        await this.dispatcher.call('onSanityCheckStart', m);
        const steps = this.options.numSanityValSteps === -1 ? this.numValBatches : Math.min(this.options.numSanityValSteps, this.numValBatches);
        await this.runValidation(m, val, steps);
        await this.dispatcher.call('onSanityCheckEnd', m);
        this.sanityChecking = false;
        // Sanity metrics are not real results.
        this.metrics.clear();
      }

      await this.dispatcher.call('onTrainStart', m);
      while (true) {
        const stop = this.stopReason();
        if (stop !== undefined) {
          stopReason = stop;
          break;
        }
        const epoch = this.progress.epoch;
        const resumingMidEpoch = this.progress.batchesDone > 0;
        if (!resumingMidEpoch) {
          this.metrics.resetEpoch('train');
          await this.dispatcher.call('onTrainEpochStart', m);
        }
        const batches = train.batches(epoch, this.progress.batchesDone);
        while (true) {
          const batchIdx = this.progress.batchesDone;
          const next = batchIdx < this.numTrainingBatches ? await batches.next() : { done: true as const, value: undefined };
          if (next.done) {
            // The source ran dry before the expected number of batches (an iterable of unknown length).
            await this.endTrainEpoch(m);
            await this.checkpoints.captureRequested(m);
            break;
          }
          await this.runTrainingBatch(m, next.value, batchIdx, train.ownsBatches);
          if (this.isValidationDue(val)) await this.runValidation(m, val!, this.numValBatches);
          const epochFinished = this.progress.batchesDone >= this.numTrainingBatches;
          if (epochFinished) await this.endTrainEpoch(m);
          // The step's boundary: every hook of this step has run (its validation and epoch end
          // too), so a checkpoint captured now resumes exactly at the next step.
          await this.checkpoints.captureRequested(m);
          this.checkpoints.throwIfFailed();
          // On cpu/wasm every await of a step resolves as a microtask, so file I/O would never
          // progress between saves; give the event loop one turn while a write is running.
          if (this.checkpoints.writing) await new Promise<void>((resolve) => setImmediate(resolve));
          if (epochFinished) break;
          if (this.maxStepsReached() || this.canStop()) {
            // Stopped inside the epoch: close it as Lightning does (after the boundary, so a
            // checkpoint of the last step still continues this epoch when resumed).
            await this.endTrainEpoch(m);
            await this.checkpoints.captureRequested(m);
            break;
          }
        }
        await batches.return(undefined);
      }
      await checkAcceleratorHealth();
      await this.dispatcher.call('onTrainEnd', m);
      // No step boundary follows: what onFitEnd or teardown requests is captured when requested
      // (waiting for a boundary would leave a hook that awaits its save waiting forever).
      this.checkpoints.endLoop();
      await this.checkpoints.captureRequested(m);
      await this.checkpoints.drain();
      for (const logger of this.loggers) await logger.finalize?.('success');
      await this.dispatcher.call('onFitEnd', m);
      // A save onFitEnd requested without awaiting it is durable, and listed, before fit resolves.
      await this.checkpoints.drain();
      this.result = this.buildResult(stopReason);
      return this.result;
    } catch (error) {
      this.metrics.discardPending();
      await this.dispatcher.call('onException', m, error).catch((hookError: unknown) => this.print(`cairn: onException hook failed: ${String(hookError)}`));
      // onException's saves are captured together after it, as at a step boundary; later ones at once.
      this.checkpoints.endLoop();
      await this.checkpoints.captureRequested(m).catch(() => undefined);
      await this.checkpoints.drain().catch(() => undefined);
      for (const logger of this.loggers) await Promise.resolve(logger.finalize?.('failed')).catch(() => undefined);
      throw error;
    } finally {
      this.checkpoints.endLoop();
      const knownFailure = this.checkpoints.failureError;
      await this.teardownStage(m, 'fit').catch((hookError: unknown) => this.print(`cairn: teardown hook failed: ${String(hookError)}`));
      // Saves requested in teardown are durable before fit settles and before the folders are released.
      await this.checkpoints.drain().catch((writeError: unknown) => {
        if (writeError !== knownFailure) this.print(`cairn: a checkpoint requested in teardown failed: ${String(writeError)}`);
      });
      await this.checkpoints.releaseFolders();
      this.end();
    }
  }

  /** Runs one validation pass alone and resolves with the validation metrics. */
  async validate<B>(module: LightningModule<B>, data: BatchSource<B> | LightningDataModule<B>, options: EvaluateOptions = {}): Promise<MetricMap> {
    return (await this.evaluate('validate', module, data, options)).metrics;
  }

  /** Runs testStep over `data` (Keras's evaluate) and resolves with the epoch test metrics. */
  async test<B>(module: LightningModule<B>, data: BatchSource<B> | LightningDataModule<B>, options: EvaluateOptions = {}): Promise<MetricMap> {
    return (await this.evaluate('test', module, data, options)).metrics;
  }

  /** Runs predictStep (default: forward) over `data`; resolves with each batch's output, in order. The caller owns the tensors. */
  async predict<B, P = unknown>(module: LightningModule<B>, data: BatchSource<B> | LightningDataModule<B>, options: EvaluateOptions = {}): Promise<P[]> {
    return (await this.evaluate('predict', module, data, options)).predictions as P[];
  }

  private async evaluate<B>(stage: 'validate' | 'test' | 'predict', module: LightningModule<B>, data: BatchSource<B> | LightningDataModule<B>, options: EvaluateOptions): Promise<EvaluationResult> {
    checkEvaluateArguments(stage, module, options);
    const m = module as LightningModule;
    const dataModule = data instanceof LightningDataModule ? (data as LightningDataModule) : undefined;
    const given: EpochSource<unknown> | undefined = dataModule === undefined ? toEpochSource(data as BatchSource<B>, `${stage}: data`) : undefined;
    this.begin(m, stage, dataModule);
    try {
      this.backend = await selectBackend(this.options.accelerator, { log: this.print, webgpu: this.options.webgpu, deterministic: this.options.deterministic });
      // As in fit: 'last' in a new Trainer (e.g. `cairn test --ckpt-path last`) searches the folder of the run that stopped.
      if (options.ckptPath === 'last') for (const logger of this.loggers) await logger.resumeLatestRun?.();
      await this.setupStage(m, stage);
      const source = given ?? toEpochSource(dataModuleLoader(dataModule!, stage), `${stage}: the data module's loader`);
      if (options.ckptPath !== undefined) this.ckptPath = await this.checkpoints.loadWeights(options.ckptPath, m);
      const limit = stage === 'validate' ? this.options.limitValBatches : stage === 'test' ? this.options.limitTestBatches : this.options.limitPredictBatches;
      const numBatches = source.length === undefined ? Infinity : limitBatches(source.length, limit);
      if (stage === 'validate') this.numValBatches = numBatches;
      const kind = stage === 'validate' ? 'validation' : stage;
      return await runEvaluation(kind, this.evaluationContext, m, source, numBatches, this.progress.epoch);
    } finally {
      await this.teardownStage(m, stage);
      this.end();
    }
  }

  /** @internal Used by checkpoint restore: puts the loop where the checkpoint left it. */
  restoreProgress(progress: TrainingProgress, shouldStop: boolean): void {
    this.progress = { ...progress };
    this.shouldStop = shouldStop;
  }

  /** @internal The loop position and metric state a checkpoint captures. */
  captureProgress(): { progress: TrainingProgress; metrics: ReturnType<MetricStore['stateDict']> } {
    return { progress: { ...this.progress }, metrics: this.metrics.stateDict() };
  }

  /** @internal */
  restoreMetrics(state: ReturnType<MetricStore['stateDict']>): void {
    this.metrics.loadStateDict(state);
  }

  private begin(module: LightningModule, stage: Stage, dataModule: LightningDataModule | undefined): void {
    if (this.stage !== undefined) throw new Error(`Trainer is already running ${this.stage}(); one call at a time`);
    this.stage = stage;
    this.module = module;
    module.trainer = this;
    this.currentDataModule = dataModule;
    this.shouldStop = false;
    this.ckptPath = undefined;
    this.metrics.clear();
    // validate/test/predict after a fit keep its position and its list of written files.
    if (stage !== 'fit') return;
    this.progress = { epoch: 0, globalStep: 0, batchesDone: 0 };
    this.checkpoints.reset();
  }

  /** Lightning's order: the data module prepares and sets up first, then callbacks and the module. */
  private async setupStage(m: LightningModule, stage: Stage): Promise<void> {
    await this.currentDataModule?.prepareData();
    await this.currentDataModule?.setup(stage);
    await this.dispatcher.call('setup', m, stage);
  }

  private async teardownStage(m: LightningModule, stage: Stage): Promise<void> {
    await this.currentDataModule?.teardown(stage);
    await this.dispatcher.call('teardown', m, stage);
  }

  private end(): void {
    this.stage = undefined;
    this.sanityChecking = false;
    this.stepContext = false;
  }

  /** Epoch-level values logged in an epoch-end hook are published before monitoring callbacks run. */
  private async publishHookLogs(hook: HookName): Promise<void> {
    if (hook === 'onTrainEpochEnd') await this.metrics.endEpoch('train');
    else if (hook === 'onValidationEpochEnd') await this.metrics.endEpoch('validation');
    else if (hook === 'onTestEpochEnd') await this.metrics.endEpoch('test');
  }

  private async runTrainingBatch<B>(m: LightningModule, batch: B, batchIdx: number, ownsBatch: boolean): Promise<void> {
    // Logs made from here to the end of onTrainBatchEnd are step values by default (Lightning's rule).
    this.stepContext = true;
    try {
      await this.dispatcher.call('onTrainBatchStart', m, batch, batchIdx);
      this.currentBatchSize = batchSizeOf(batch);
      const loss = await runOptimizerStep(m, batch, batchIdx, this.optimizer!, this.dispatcher);
      this.progress.globalStep += 1;
      this.progress.batchesDone = batchIdx + 1;
      await this.metrics.flush('train');
      this.stepSchedulers('step');
      await this.dispatcher.call('onTrainBatchEnd', m, { loss }, batch, batchIdx);
      await this.metrics.flush('train');
      const stepMetrics = this.metrics.takeForLoggers();
      if (this.progress.globalStep % this.options.logEveryNSteps === 0) await this.sendToLoggers(stepMetrics);
    } finally {
      this.stepContext = false;
      if (ownsBatch) tf.dispose(batch as tf.TensorContainer);
    }
  }

  private async endTrainEpoch(m: LightningModule): Promise<void> {
    // Aggregates of the training steps are visible to every onTrainEpochEnd hook.
    await this.metrics.endEpoch('train');
    await this.dispatcher.call('onTrainEpochEnd', m);
    await this.sendToLoggers(this.metrics.takeForLoggers());
    this.stepSchedulers('epoch');
    this.progress.epoch += 1;
    this.progress.batchesDone = 0;
    for (const logger of this.loggers) await logger.save?.();
  }

  private async runValidation<B>(m: LightningModule, val: EpochSource<B>, numBatches: number): Promise<MetricMap> {
    return (await runEvaluation('validation', this.evaluationContext, m, val, numBatches, this.progress.epoch)).metrics;
  }

  /** What the evaluation loop uses of the trainer. */
  private get evaluationContext(): EvaluationContext {
    return {
      dispatcher: this.dispatcher,
      metrics: this.metrics,
      setBatchSize: (size) => (this.currentBatchSize = size),
      // Sanity-check metrics are not results: loggers never see them.
      publish: (metrics) => (this.sanityChecking ? Promise.resolve() : this.sendToLoggers(metrics)),
    };
  }

  private isValidationDue<B>(val: EpochSource<B> | undefined): boolean {
    if (val === undefined || this.numValBatches === 0) return false;
    return validationDueAfterStep({ ...this.progress, numTrainingBatches: this.numTrainingBatches }, this.options);
  }

  private maxStepsReached(): boolean {
    return this.options.maxSteps !== -1 && this.progress.globalStep >= this.options.maxSteps;
  }

  /** A callback asked to stop and minEpochs allows it. */
  private canStop(): boolean {
    return this.shouldStop && this.progress.epoch + 1 >= this.options.minEpochs;
  }

  private stopReason(): StopReason | undefined {
    if (this.maxStepsReached()) return 'maxSteps';
    if (this.options.maxEpochs !== -1 && this.progress.epoch >= this.options.maxEpochs) return 'maxEpochs';
    if (this.shouldStop) {
      if (this.progress.epoch >= this.options.minEpochs) return 'shouldStop';
      this.print(`cairn: a callback asked to stop, but minEpochs=${this.options.minEpochs} is not reached yet; training goes on`);
      this.shouldStop = false;
    }
    return undefined;
  }

  private stepSchedulers(interval: 'step' | 'epoch'): void {
    const count = interval === 'step' ? this.progress.globalStep : this.progress.epoch + 1;
    for (const config of this.lrSchedulers) {
      if ((config.interval ?? 'epoch') !== interval || count % (config.frequency ?? 1) !== 0) continue;
      if (config.monitor === undefined) {
        config.scheduler.step();
        continue;
      }
      const value = this.callbackMetrics[config.monitor];
      if (value === undefined) {
        const message = `lrScheduler monitors '${config.monitor}', which is not among the logged metrics (${Object.keys(this.callbackMetrics).join(', ') || 'none'})`;
        if (config.strict ?? true) throw new Error(message);
        this.print(`cairn: ${message}; scheduler step skipped`);
        continue;
      }
      config.scheduler.step(value);
    }
  }

  private async sendToLoggers(metrics: MetricMap): Promise<void> {
    if (Object.keys(metrics).length === 0) return;
    const withEpoch = { ...metrics, epoch: this.progress.epoch };
    this.metrics.loggedMetrics.epoch = this.progress.epoch;
    for (const logger of this.loggers) await logger.logMetrics(withEpoch, Math.max(0, this.progress.globalStep - 1));
  }

  private buildResult(stopReason: StopReason): FitResult {
    const reports = this.checkpointCallbacks;
    const first = reports[0];
    return {
      epochs: this.progress.epoch,
      globalStep: this.progress.globalStep,
      metrics: { ...this.callbackMetrics },
      stopReason,
      bestModelPath: first?.bestModelPath ?? '',
      bestModelScore: first?.bestModelScore,
      bestKModels: { ...(first?.bestKModels ?? {}) },
      kBestYamlPath: first?.kBestYamlPath,
      lastModelPath: first?.lastModelPath ?? '',
      checkpointingFiles: [...this.checkpoints.written],
      checkpointCallbacks: reports,
    };
  }
}

const FIT_OPTIONS: OptionKeys<FitOptions> = { ckptPath: true };
const EVALUATE_OPTIONS: OptionKeys<EvaluateOptions> = { ckptPath: true };

function checkEvaluateArguments(stage: string, module: unknown, options: unknown): void {
  if (!(module instanceof LightningModuleClass)) throw new Error(`${stage}: module must be a LightningModule instance, ${gotWrongKind(module)}`);
  if (typeof options !== 'object' || options === null || whereItBelongs(options) !== undefined) {
    throw new Error(`${stage}: options must be an object such as { ckptPath: 'best' }, ${gotWrongKind(options)}`);
  }
  rejectUnknownOptions(stage, options as EvaluateOptions, EVALUATE_OPTIONS);
  checkCkptPath(stage, (options as EvaluateOptions).ckptPath);
}

function checkCkptPath(stage: string, ckptPath: unknown): void {
  if (ckptPath !== undefined && (typeof ckptPath !== 'string' || ckptPath.length === 0 || ckptPath.includes('\0'))) {
    throw new Error(`${stage}: ckptPath must be a checkpoint file path, 'last' or 'best', got ${typeof ckptPath === 'string' ? JSON.stringify(ckptPath) : describeKind(ckptPath)}`);
  }
}

/** fit(module, dataModule, options?) or fit(module, trainData, valData?, options?). */
function fitArguments<B>(data: BatchSource<B> | LightningDataModule<B>, valOrOptions: unknown, moreOptions: unknown): { dataModule?: LightningDataModule; trainData?: BatchSource<B>; valData?: BatchSource<B>; options: FitOptions } {
  if (!(data instanceof LightningDataModule)) return { trainData: data, valData: valOrOptions as BatchSource<B> | undefined, options: (moreOptions === undefined ? {} : moreOptions) as FitOptions };
  if (moreOptions !== undefined) throw new Error(`fit: with a LightningDataModule the options come third: fit(module, dataModule, { ckptPath }), ${gotWrongKind(moreOptions)} as a 4th argument`);
  if (valOrOptions !== undefined && (whereItBelongs(valOrOptions) !== undefined || isBatchSource(valOrOptions))) {
    throw new Error(`fit: the LightningDataModule gives the validation data (valDataloader()); the third argument is the options, ${gotWrongKind(valOrOptions)}`);
  }
  return { dataModule: data as LightningDataModule, options: (valOrOptions === undefined ? {} : valOrOptions) as FitOptions };
}

function isBatchSource(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (Symbol.iterator in value || Symbol.asyncIterator in value);
}

function checkFitArguments(module: unknown, options: unknown): void {
  if (!(module instanceof LightningModuleClass)) throw new Error(`fit: module must be a LightningModule instance, ${gotWrongKind(module)}`);
  // A DataLoader or module in this place (a test loader as a 4th argument) is a slip, not options.
  if (typeof options !== 'object' || options === null || whereItBelongs(options) !== undefined) {
    throw new Error(`fit: options must be an object such as { ckptPath: 'last' }, ${gotWrongKind(options)}`);
  }
  rejectUnknownOptions('fit', options as FitOptions, FIT_OPTIONS);
  checkCkptPath('fit', (options as FitOptions).ckptPath);
}
