import * as tf from '@tensorflow/tfjs';
import { checkAcceleratorHealth } from '../backend/accelerator-health.js';
import { selectBackend, type BackendInfo } from '../backend/select-backend.js';
import type { Callback } from '../callbacks/callback.js';
import { Checkpoint } from '../callbacks/checkpoint.js';
import { HookDispatcher } from '../callbacks/dispatcher.js';
import type { HookName, Stage } from '../callbacks/hooks.js';
import { CheckpointIO, type SaveOptions } from '../checkpoint/checkpoint-io.js';
import type { TrainingProgress } from '../checkpoint/checkpoint-state.js';
import type { LoopView } from '../checkpoint/loop-view.js';
import { DataLoader } from '../data/data-loader.js';
import { dataModuleLoader, LightningDataModule } from '../data/data-module.js';
import { toEpochSource, type BatchSource, type EpochSource } from '../data/batch-source.js';
import type { Logger } from '../logger/logger.js';
import type { LogOptions, LogValue } from '../metrics/log-options.js';
import { MetricStore, type MetricMap } from '../metrics/metric-store.js';
import type { LightningModule } from '../module/lightning-module.js';
import { connectLogSink } from '../module/log-sink.js';
import type { LrSchedulerConfig } from '../optim/lr-scheduler.js';
import { seedEverything } from '../rng/global-random.js';
import { batchSizeOf } from './batch-size.js';
import { checkEvaluateArguments, checkFitArguments, fitArguments, type EvaluateOptions, type FitOptions } from './call-arguments.js';
import { splitCallbacksAndLoggers } from './callbacks-and-loggers.js';
import { defaultCallbacks } from './default-callbacks.js';
import { runEvaluation, type EvaluationContext, type EvaluationResult } from './evaluation-loop.js';
import type { FitResult, StopReason } from './fit-result.js';
import { stepLrSchedulers } from './lr-stepping.js';
import { limitBatches, resolveTrainerOptions, trainBatchesPerEpoch, type ResolvedTrainerOptions, type TrainerOptions } from './options.js';
import { resolveOptimizers } from './resolve-optimizers.js';
import { runOptimizerStep } from './training-step.js';
import { validationDueAfterStep } from './validation-schedule.js';

export type { EvaluateOptions, FitOptions };

/** The train and validation data of one fit, as the loop reads them. */
interface FitData {
  train: EpochSource<unknown>;
  val: EpochSource<unknown> | undefined;
  trainLoader: DataLoader<unknown> | undefined;
}

/**
 * Runs the loops. Callbacks read its state through getters and may set only `shouldStop`.
 *
 * fit: run epochs -> run one epoch -> run one step, with one step boundary (where checkpoints
 * are captured) after each step. validate, test, predict and the sanity check share one
 * evaluation loop (evaluation-loop.ts).
 */
export class Trainer {
  readonly options: ResolvedTrainerOptions;
  readonly callbacks: readonly Callback[];
  readonly loggers: readonly Logger[];
  /** Stop at the next opportunity (once minEpochs is met). Set by callbacks such as EarlyStopping. */
  shouldStop = false;

  #module: LightningModule | undefined;
  #optimizer: tf.Optimizer | undefined;
  #lrSchedulers: LrSchedulerConfig[] = [];
  #sanityChecking = false;
  #stage: Stage | undefined;
  #backend: BackendInfo | undefined;
  #numTrainingBatches = 0;
  #numValBatches = 0;
  #ckptPath: string | undefined;
  #result: FitResult | undefined;
  #dataModule: LightningDataModule | undefined;
  readonly #metrics = new MetricStore();
  readonly #dispatcher: HookDispatcher;
  readonly #checkpoints: CheckpointIO;
  readonly #print: (line: string) => void;
  #progress: TrainingProgress = { epoch: 0, globalStep: 0, batchesDone: 0 };
  #batchSize: number | undefined;
  #stepContext = false;
  /** Between an epoch's end and the step boundary that follows it. */
  #epochJustEnded = false;

  constructor(options: TrainerOptions = {}) {
    this.options = resolveTrainerOptions(options);
    this.#print = options.print ?? ((line) => console.error(line));
    const { callbacks: given, loggers } = splitCallbacksAndLoggers(options.callbacks, options.logger);
    this.loggers = this.options.fastDevRun > 0 ? [] : loggers;
    const checkpointing = given.find((c) => c instanceof Checkpoint);
    if (options.enableCheckpointing === false && checkpointing !== undefined) {
      throw new Error(`Trainer: enableCheckpointing is false but callbacks hold a ${checkpointing.constructor.name}; remove one of the two (as Lightning)`);
    }
    this.callbacks = [...given, ...defaultCallbacks(this.options, given)];
    const keys = new Set<string>();
    for (const callback of this.callbacks) {
      if (keys.has(callback.stateKey)) throw new Error(`Trainer: two callbacks share the state key '${callback.stateKey}'; give one of them another configuration or stateKey`);
      keys.add(callback.stateKey);
    }
    this.#dispatcher = new HookDispatcher(this, this.callbacks, (hook) => this.#publishHookLogs(hook));
    this.#checkpoints = new CheckpointIO(this.#loopView(), this.#print);
    // Seeded here, before the user builds the module, so weight initialisation is reproducible.
    if (this.options.seed !== undefined) seedEverything(this.options.seed);
  }

  /** The module of the current (or last) call. */
  get module(): LightningModule | undefined {
    return this.#module;
  }
  get optimizer(): tf.Optimizer | undefined {
    return this.#optimizer;
  }
  get lrSchedulers(): readonly LrSchedulerConfig[] {
    return this.#lrSchedulers;
  }
  /** True while the sanity-check validation runs before training. */
  get sanityChecking(): boolean {
    return this.#sanityChecking;
  }
  /** What the current call is doing ('fit', 'validate', 'test', 'predict'), undefined between calls. */
  get stage(): Stage | undefined {
    return this.#stage;
  }
  /**
   * True while a fit trains for real: not a sanity check, not a fast dev run, not validate, test or
   * predict. The one rule the monitoring callbacks (ModelCheckpoint, EarlyStopping) need before
   * they save or count a check, as Lightning's checkpoint skip rule reads it.
   */
  get isRealTraining(): boolean {
    return this.#stage === 'fit' && !this.#sanityChecking && !(this.options.fastDevRun > 0);
  }
  get backend(): BackendInfo | undefined {
    return this.#backend;
  }
  /** Train batches per epoch after limits (Infinity when the source cannot tell). */
  get numTrainingBatches(): number {
    return this.#numTrainingBatches;
  }
  /** Validation batches per validation run after limits. */
  get numValBatches(): number {
    return this.#numValBatches;
  }
  /** The checkpoint the current (or last) call restored or loaded, if any. */
  get ckptPath(): string | undefined {
    return this.#ckptPath;
  }
  /** What the last fit resolved with. */
  get result(): FitResult | undefined {
    return this.#result;
  }
  get currentEpoch(): number {
    return this.#progress.epoch;
  }
  get globalStep(): number {
    return this.#progress.globalStep;
  }
  /** Batches of the current epoch already trained. */
  get batchesDone(): number {
    return this.#progress.batchesDone;
  }
  /** The LightningDataModule of the current (or last) call, if one was given. */
  get dataModule(): LightningDataModule | undefined {
    return this.#dataModule;
  }
  get callbackMetrics(): MetricMap {
    return this.#metrics.callbackMetrics;
  }
  get loggedMetrics(): MetricMap {
    return this.#metrics.loggedMetrics;
  }
  get progressBarMetrics(): MetricMap {
    return this.#metrics.progressBarMetrics;
  }
  /** Typed eventemitter3 hub: one event per hook, for code that prefers listeners to callbacks. */
  get events(): HookDispatcher['events'] {
    return this.#dispatcher.events;
  }
  get defaultRootDir(): string {
    return this.options.defaultRootDir;
  }
  /** The first logger's folder, else defaultRootDir. */
  get logDir(): string {
    return this.loggers.find((l) => l.logDir !== undefined)?.logDir ?? this.options.defaultRootDir;
  }
  /** The checkpointing callbacks (subclasses of Checkpoint, such as ModelCheckpoint). */
  get checkpointCallbacks(): Checkpoint[] {
    return this.callbacks.filter((c): c is Checkpoint => c instanceof Checkpoint);
  }
  /** Every checkpoint file written by the current (or last) fit, in order. */
  get checkpointingFiles(): readonly string[] {
    return this.#checkpoints.written;
  }

  /**
   * Whether a validation pass follows the training step that just ended (asked from
   * onTrainBatchEnd): Lightning's schedule (valCheckInterval, checkValEveryNEpoch). False without
   * validation data or when the validation length is unknown.
   */
  validationFollowsStep(): boolean {
    return Number.isFinite(this.#numValBatches) && this.#numValBatches > 0 && this.#validationDue();
  }

  /**
   * Requests a checkpoint. Inside fit, the state is captured at the end of the current step (after
   * its validation and epoch end, if any), so the file resumes exactly at the next step; the
   * promise resolves when the file is durable. Outside fit, and once the loop is over (after
   * onTrainEnd: onFitEnd, teardown), it is captured at once; fit settles only after it is durable.
   */
  saveCheckpoint(path: string, options: SaveOptions = {}): Promise<string> {
    return this.#checkpoints.request(path, options);
  }

  /** Trains `module`. Resolves with the result once every checkpoint write is durable. */
  async fit<B>(module: LightningModule<B>, dataModule: LightningDataModule<B>, options?: FitOptions): Promise<FitResult>;
  async fit<B>(module: LightningModule<B>, trainData: BatchSource<B>, valData?: BatchSource<B>, options?: FitOptions): Promise<FitResult>;
  async fit<B>(module: LightningModule<B>, data: BatchSource<B> | LightningDataModule<B>, valOrOptions?: BatchSource<B> | FitOptions, moreOptions?: FitOptions): Promise<FitResult> {
    const { dataModule, trainData, valData, options } = fitArguments(data, valOrOptions, moreOptions);
    checkFitArguments(module, options);
    const m = module as LightningModule;
    const given = trainData === undefined ? undefined : this.#fitData(trainData, valData);
    this.#begin(m, 'fit', dataModule);
    try {
      const { train, val } = await this.#prepareFit(m, given, options.ckptPath);
      await this.#dispatcher.call('onFitStart', m);
      for (const logger of this.loggers) await logger.logHyperparams?.(m.hparams);
      // A resumed run already validated this model: a sanity pass would only overwrite restored metrics.
      if (val !== undefined && this.#ckptPath === undefined) await this.#sanityCheck(m, val);
      await this.#dispatcher.call('onTrainStart', m);
      const stopReason = await this.#runEpochs(m, train, val);
      await checkAcceleratorHealth();
      await this.#dispatcher.call('onTrainEnd', m);
      await this.#checkpoints.endLoop();
      for (const logger of this.loggers) await logger.finalize?.('success');
      await this.#dispatcher.call('onFitEnd', m);
      // A save onFitEnd requested without awaiting it is durable, and listed, before fit resolves.
      await this.#checkpoints.drain();
      this.#result = this.#buildResult(stopReason);
      return this.#result;
    } catch (error) {
      this.#metrics.discardPending();
      await this.#dispatcher.call('onException', m, error).catch((hookError: unknown) => this.#print(`cairn: onException hook failed: ${String(hookError)}`));
      // onException's saves are captured together after it, as at a step boundary; later ones at once.
      await this.#checkpoints.endLoop().catch(() => undefined);
      for (const logger of this.loggers) await Promise.resolve(logger.finalize?.('failed')).catch(() => undefined);
      throw error;
    } finally {
      // Saves requested in teardown are durable before fit settles and before the folders are released.
      await this.#checkpoints.close(() => this.#teardownStage(m, 'fit').catch((hookError: unknown) => this.#print(`cairn: teardown hook failed: ${String(hookError)}`)));
      this.#end();
    }
  }

  /** Runs one validation pass alone and resolves with the validation metrics. */
  async validate<B>(module: LightningModule<B>, data: BatchSource<B> | LightningDataModule<B>, options: EvaluateOptions = {}): Promise<MetricMap> {
    return (await this.#evaluate('validate', module, data, options)).metrics;
  }

  /** Runs testStep over `data` (Keras's evaluate) and resolves with the epoch test metrics. */
  async test<B>(module: LightningModule<B>, data: BatchSource<B> | LightningDataModule<B>, options: EvaluateOptions = {}): Promise<MetricMap> {
    return (await this.#evaluate('test', module, data, options)).metrics;
  }

  /** Runs predictStep (default: forward) over `data`; resolves with each batch's output, in order. The caller owns the tensors. */
  async predict<B, P = unknown>(module: LightningModule<B>, data: BatchSource<B> | LightningDataModule<B>, options: EvaluateOptions = {}): Promise<P[]> {
    return (await this.#evaluate('predict', module, data, options)).predictions as P[];
  }

  /** Backend, setup hooks, data, optimizers, batch counts, checkpoint folders and the restore. */
  async #prepareFit(m: LightningModule, given: FitData | undefined, ckptPath: string | undefined): Promise<FitData> {
    this.#backend = await selectBackend(this.options.accelerator, { print: this.#print, webgpu: this.options.webgpu, deterministic: this.options.deterministic });
    // Before setup, where a ModelCheckpoint derives its folder from the logger's.
    if (ckptPath === 'last') for (const logger of this.loggers) await logger.resumeLatestRun?.();
    await this.#setupStage(m, 'fit');
    const data = given ?? this.#dataModuleFitData();
    ({ optimizer: this.#optimizer, lrSchedulers: this.#lrSchedulers } = resolveOptimizers(m.configureOptimizers()));
    this.#numTrainingBatches = trainBatchesPerEpoch(data.train.length, this.options.limitTrainBatches);
    this.#numValBatches = data.val === undefined ? 0 : data.val.length === undefined ? Infinity : limitBatches(data.val.length, this.options.limitValBatches);
    this.#ckptPath = await this.#checkpoints.open(data.trainLoader, ckptPath);
    if (this.#ckptPath !== undefined && this.options.maxEpochs !== -1 && this.#progress.epoch > this.options.maxEpochs) {
      // As Lightning: resolving without training would hide that maxEpochs was lowered by mistake.
      throw new Error(`fit: ${this.#ckptPath} resumes at epoch ${this.#progress.epoch}, past maxEpochs=${this.options.maxEpochs}; raise maxEpochs to train on from it`);
    }
    return data;
  }

  #fitData(trainData: BatchSource<unknown>, valData: BatchSource<unknown> | undefined, what = { train: 'fit: trainData', val: 'fit: valData' }): FitData {
    return {
      train: toEpochSource(trainData, what.train),
      val: valData === undefined ? undefined : toEpochSource(valData, what.val),
      trainLoader: trainData instanceof DataLoader ? trainData : undefined,
    };
  }

  /** The loaders come from the data module after its setup, as in Lightning. */
  #dataModuleFitData(): FitData {
    const dataModule = this.#dataModule!;
    const train = dataModuleLoader(dataModule, 'fit');
    const val = dataModule.valDataloader === undefined ? undefined : dataModule.valDataloader();
    return this.#fitData(train, val, { train: 'fit: trainDataloader()', val: 'fit: valDataloader()' });
  }

  async #sanityCheck(m: LightningModule, val: EpochSource<unknown>): Promise<void> {
    if (this.options.numSanityValSteps === 0 || this.#numValBatches === 0) return;
    this.#sanityChecking = true;
    await this.#dispatcher.call('onSanityCheckStart', m);
    const steps = this.options.numSanityValSteps === -1 ? this.#numValBatches : Math.min(this.options.numSanityValSteps, this.#numValBatches);
    await this.#runValidation(m, val, steps);
    await this.#dispatcher.call('onSanityCheckEnd', m);
    this.#sanityChecking = false;
    // Sanity metrics are not real results.
    this.#metrics.clear();
  }

  /** Epoch after epoch until a stop condition holds; returns which. */
  async #runEpochs(m: LightningModule, train: EpochSource<unknown>, val: EpochSource<unknown> | undefined): Promise<StopReason> {
    for (;;) {
      const stop = this.#stopReason();
      if (stop !== undefined) return stop;
      await this.#runEpoch(m, train, val);
    }
  }

  /** One epoch (or the rest of one, after a mid-epoch resume): a step boundary after every advance. */
  async #runEpoch(m: LightningModule, train: EpochSource<unknown>, val: EpochSource<unknown> | undefined): Promise<void> {
    if (this.#progress.batchesDone === 0) {
      this.#metrics.resetEpoch('train');
      await this.#dispatcher.call('onTrainEpochStart', m);
    }
    const batches = train.batches(this.#progress.epoch, this.#progress.batchesDone);
    try {
      let epochEnded = false;
      while (!epochEnded) {
        epochEnded = await this.#advance(m, batches, train.ownsBatches, val);
        this.#epochJustEnded = epochEnded;
        await this.#checkpoints.stepBoundary();
        this.#epochJustEnded = false;
      }
    } finally {
      await batches.return(undefined);
    }
  }

  /**
   * Runs the next training step (with its validation, and the epoch end after the epoch's last
   * batch), or ends an epoch cut short: the source ran dry, or a stop came after the previous
   * step (ended after that step's boundary, so its checkpoint still continues this epoch).
   * Returns whether the epoch has ended.
   */
  async #advance(m: LightningModule, batches: AsyncGenerator<unknown>, ownsBatches: boolean, val: EpochSource<unknown> | undefined): Promise<boolean> {
    const position = this.#progress.batchesDone;
    const stopping = position > 0 && (this.#maxStepsReached() || this.#canStop());
    const next = stopping || position >= this.#numTrainingBatches ? undefined : await batches.next();
    if (next === undefined || next.done === true) {
      // A source without a length ran dry: its epoch end is known only now, and validation follows it.
      if (next !== undefined && val !== undefined && this.#validatesAtEpochEnd()) await this.#runValidation(m, val, this.#numValBatches);
      await this.#endTrainEpoch(m);
      return true;
    }
    await this.#runTrainingStep(m, next.value, position, ownsBatches);
    if (val !== undefined && this.#numValBatches !== 0 && this.#validationDue()) await this.#runValidation(m, val, this.#numValBatches);
    if (this.#progress.batchesDone < this.#numTrainingBatches) return false;
    await this.#endTrainEpoch(m);
    return true;
  }

  async #runTrainingStep(m: LightningModule, batch: unknown, batchIdx: number, ownsBatch: boolean): Promise<void> {
    // Logs made from here to the end of onTrainBatchEnd are step values by default (Lightning's rule).
    this.#stepContext = true;
    try {
      await this.#dispatcher.call('onTrainBatchStart', m, batch, batchIdx);
      this.#batchSize = batchSizeOf(batch);
      const loss = await runOptimizerStep(m, batch, batchIdx, this.#optimizer!, this.#dispatcher);
      this.#progress.globalStep += 1;
      this.#progress.batchesDone = batchIdx + 1;
      await this.#metrics.flush('train');
      stepLrSchedulers(this.#lrSchedulers, 'step', this.#progress.globalStep, this.callbackMetrics, this.#print);
      await this.#dispatcher.call('onTrainBatchEnd', m, { loss }, batch, batchIdx);
      await this.#metrics.flush('train');
      const stepMetrics = this.#metrics.takeForLoggers();
      if (this.#progress.globalStep % this.options.logEveryNSteps === 0) await this.#sendToLoggers(stepMetrics);
    } finally {
      this.#stepContext = false;
      if (ownsBatch) tf.dispose(batch as tf.TensorContainer);
    }
  }

  async #endTrainEpoch(m: LightningModule): Promise<void> {
    // Aggregates of the training steps are visible to every onTrainEpochEnd hook.
    await this.#metrics.endEpoch('train');
    await this.#dispatcher.call('onTrainEpochEnd', m);
    await this.#sendToLoggers(this.#metrics.takeForLoggers());
    stepLrSchedulers(this.#lrSchedulers, 'epoch', this.#progress.epoch + 1, this.callbackMetrics, this.#print);
    this.#progress.epoch += 1;
    this.#progress.batchesDone = 0;
    for (const logger of this.loggers) await logger.save?.();
  }

  async #evaluate<B>(stage: 'validate' | 'test' | 'predict', module: LightningModule<B>, data: BatchSource<B> | LightningDataModule<B>, options: EvaluateOptions): Promise<EvaluationResult> {
    checkEvaluateArguments(stage, module, options);
    const m = module as LightningModule;
    const dataModule = data instanceof LightningDataModule ? (data as LightningDataModule) : undefined;
    const given: EpochSource<unknown> | undefined = dataModule === undefined ? toEpochSource(data as BatchSource<B>, `${stage}: data`) : undefined;
    this.#begin(m, stage, dataModule);
    try {
      this.#backend = await selectBackend(this.options.accelerator, { print: this.#print, webgpu: this.options.webgpu, deterministic: this.options.deterministic });
      // As in fit: 'last' in a new Trainer (e.g. `cairn test --ckpt-path last`) searches the folder of the run that stopped.
      if (options.ckptPath === 'last') for (const logger of this.loggers) await logger.resumeLatestRun?.();
      await this.#setupStage(m, stage);
      const source = given ?? toEpochSource(dataModuleLoader(dataModule!, stage), `${stage}: the data module's loader`);
      if (options.ckptPath !== undefined) this.#ckptPath = await this.#checkpoints.loadWeights(options.ckptPath, m);
      const limit = stage === 'validate' ? this.options.limitValBatches : stage === 'test' ? this.options.limitTestBatches : this.options.limitPredictBatches;
      const numBatches = source.length === undefined ? Infinity : limitBatches(source.length, limit);
      if (stage === 'validate') this.#numValBatches = numBatches;
      const kind = stage === 'validate' ? 'validation' : stage;
      return await runEvaluation(kind, this.#evaluationContext(), m, source, numBatches, this.#progress.epoch);
    } finally {
      await this.#teardownStage(m, stage);
      this.#end();
    }
  }

  async #runValidation(m: LightningModule, val: EpochSource<unknown>, numBatches: number): Promise<MetricMap> {
    return (await runEvaluation('validation', this.#evaluationContext(), m, val, numBatches, this.#progress.epoch)).metrics;
  }

  /** What the evaluation loop uses of the trainer. */
  #evaluationContext(): EvaluationContext {
    return {
      dispatcher: this.#dispatcher,
      metrics: this.#metrics,
      setBatchSize: (size) => (this.#batchSize = size),
      // Sanity-check metrics are not results: loggers never see them.
      publish: (metrics) => (this.#sanityChecking ? Promise.resolve() : this.#sendToLoggers(metrics)),
    };
  }

  /** The checkpoint machinery's window on the loop: the state it saves and restores, nothing else. */
  #loopView(): LoopView {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the view's getters read the trainer's private state
    const trainer = this;
    return {
      get module() { return trainer.#module; },
      get inFitLoop() { return trainer.#stage === 'fit'; },
      get progress() { return { ...trainer.#progress }; },
      get saveEpoch() { return trainer.#epochJustEnded ? trainer.#progress.epoch - 1 : trainer.#progress.epoch; },
      set progress(value: TrainingProgress) { trainer.#progress = { ...value }; },
      get shouldStop() { return trainer.shouldStop; },
      set shouldStop(value: boolean) { trainer.shouldStop = value; },
      metrics: this.#metrics,
      get optimizer() { return trainer.#optimizer; },
      get lrSchedulers() { return trainer.#lrSchedulers; },
      callbacks: this.callbacks,
      loggers: this.loggers,
      get dataModule() { return trainer.#dataModule; },
      get checkpointCallbacks() { return trainer.checkpointCallbacks; },
      callHook: (hook, module, state) => this.#dispatcher.call(hook, module, state),
    };
  }

  #begin(module: LightningModule, stage: Stage, dataModule: LightningDataModule | undefined): void {
    if (this.#stage !== undefined) throw new Error(`Trainer is already running ${this.#stage}(); one call at a time`);
    this.#stage = stage;
    this.#module = module;
    module.trainer = this;
    connectLogSink(module, (name, value, options) => this.#recordLog(name, value, options));
    this.#dataModule = dataModule;
    this.shouldStop = false;
    this.#ckptPath = undefined;
    this.#metrics.clear();
    // validate/test/predict after a fit keep its position and its list of written files.
    if (stage !== 'fit') return;
    this.#progress = { epoch: 0, globalStep: 0, batchesDone: 0 };
    this.#checkpoints.reset();
  }

  #recordLog(name: string, value: LogValue, options: LogOptions): void {
    // As in Lightning: predictions are returned, not logged.
    if (this.#stage === 'predict') throw new Error(`log('${name}'): log() is not available in predict; return the values from predictStep instead`);
    this.#metrics.log(name, value, options, this.#stepContext, options.batchSize ?? this.#batchSize);
  }

  /** Lightning's order: the data module prepares and sets up first, then callbacks and the module. */
  async #setupStage(m: LightningModule, stage: Stage): Promise<void> {
    await this.#dataModule?.prepareData();
    await this.#dataModule?.setup(stage);
    await this.#dispatcher.call('setup', m, stage);
  }

  async #teardownStage(m: LightningModule, stage: Stage): Promise<void> {
    await this.#dataModule?.teardown(stage);
    await this.#dispatcher.call('teardown', m, stage);
  }

  #end(): void {
    this.#stage = undefined;
    this.#sanityChecking = false;
    this.#stepContext = false;
  }

  /** Epoch-level values logged in an epoch-end hook are published before monitoring callbacks run. */
  async #publishHookLogs(hook: HookName): Promise<void> {
    if (hook === 'onTrainEpochEnd') await this.#metrics.endEpoch('train');
    else if (hook === 'onValidationEpochEnd') await this.#metrics.endEpoch('validation');
    else if (hook === 'onTestEpochEnd') await this.#metrics.endEpoch('test');
  }

  #maxStepsReached(): boolean {
    return this.options.maxSteps !== -1 && this.#progress.globalStep >= this.options.maxSteps;
  }

  /** Lightning's validation schedule after the step that just ended. */
  #validationDue(): boolean {
    return validationDueAfterStep({ ...this.#progress, numTrainingBatches: this.#numTrainingBatches }, this.options);
  }

  /** Whether the validation schedule has a pass at this epoch's end (fraction 1 of an epoch, a checked epoch). */
  #validatesAtEpochEnd(): boolean {
    const { checkValEveryNEpoch, valCheckInterval } = this.options;
    if (this.#numValBatches === 0 || checkValEveryNEpoch === null || (this.#progress.epoch + 1) % checkValEveryNEpoch !== 0) return false;
    return 'fraction' in valCheckInterval && valCheckInterval.fraction === 1;
  }

  #minStepsReached(): boolean {
    return this.options.minSteps === -1 || this.#progress.globalStep >= this.options.minSteps;
  }

  /** A callback asked to stop and minEpochs (counting the epoch under way) and minSteps allow it. */
  #canStop(): boolean {
    return this.shouldStop && this.#progress.epoch + 1 >= this.options.minEpochs && this.#minStepsReached();
  }

  #stopReason(): StopReason | undefined {
    if (this.#maxStepsReached()) return 'maxSteps';
    if (this.options.maxEpochs !== -1 && this.#progress.epoch >= this.options.maxEpochs) return 'maxEpochs';
    if (this.shouldStop) {
      if (this.#progress.epoch >= this.options.minEpochs && this.#minStepsReached()) return 'shouldStop';
      this.#print(`cairn: a callback asked to stop, but minEpochs=${this.options.minEpochs} / minSteps=${this.options.minSteps} is not reached yet; training goes on`);
      this.shouldStop = false;
    }
    return undefined;
  }

  async #sendToLoggers(metrics: MetricMap): Promise<void> {
    if (Object.keys(metrics).length === 0) return;
    const withEpoch = { ...metrics, epoch: this.#progress.epoch };
    this.#metrics.loggedMetrics.epoch = this.#progress.epoch;
    for (const logger of this.loggers) await logger.logMetrics(withEpoch, Math.max(0, this.#progress.globalStep - 1));
  }

  #buildResult(stopReason: StopReason): FitResult {
    const reports = this.checkpointCallbacks;
    const first = reports[0];
    return {
      epochs: this.#progress.epoch,
      globalStep: this.#progress.globalStep,
      metrics: { ...this.callbackMetrics },
      stopReason,
      bestModelPath: first?.bestModelPath ?? '',
      bestModelScore: first?.bestModelScore,
      bestKModels: { ...(first?.bestKModels ?? {}) },
      kBestYamlPath: first?.kBestYamlPath,
      lastModelPath: first?.lastModelPath ?? '',
      checkpointingFiles: [...this.#checkpoints.written],
      checkpointCallbacks: reports,
    };
  }
}
