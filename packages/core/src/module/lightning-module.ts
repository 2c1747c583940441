import * as tf from '@tensorflow/tfjs';
import type { CheckpointState } from '../checkpoint/checkpoint-state.js';
import type { StepOutput } from '../callbacks/hooks.js';
import type { Stage } from '../callbacks/hooks.js';
import type { LogOptions, LogValue } from '../metrics/log-options.js';
import type { OptimizerConfig } from '../optim/lr-scheduler.js';
import type { Trainer } from '../trainer/trainer.js';
import { loadCheckpoint } from '../checkpoint/load-checkpoint.js';
import { loadWeights } from './load-weights.js';
import { logSinkOf } from './log-sink.js';
import { withoutRandomInit } from './skip-initializers.js';
import { discoverWeights, type NamedWeight } from './parameters.js';

/** What a training step returns: the scalar loss, or an object holding it. */
export type TrainingStepOutput = tf.Scalar | { loss: tf.Scalar };

const NOT_WEIGHTS: ReadonlySet<string> = new Set(['trainer', 'hparams', 'training']);

/**
 * Subclass this: hold your models/layers/variables in fields, implement `trainingStep` and
 * `configureOptimizers`, optionally `validationStep` and any hook.
 */
export abstract class LightningModule<B = unknown> {
  /** The trainer running this module; set by `fit`/`validate`. */
  trainer: Trainer | undefined = undefined;
  /** Hyper-parameters recorded with `saveHyperparameters`; saved in every checkpoint. */
  hparams: Record<string, unknown> = {};
  /** True inside `trainingStep`: pass it to `model.apply(x, { training: this.training })` for dropout. */
  training = false;

  /**
   * Builds a module from a checkpoint for inference: constructs it with the saved
   * hyper-parameters (`new Class(hparams)`), then loads and verifies its weights. The optimizer's
   * slots are verified with the rest of the file but never become tensors. Layers built by the
   * constructor start from zeros instead of their random initializers (their values are replaced
   * by the checkpoint's at once), so construction is cheap and draws nothing from the random stream.
   */
  static async loadFromCheckpoint<T extends LightningModule>(this: new (hparams: Record<string, unknown>) => T, path: string): Promise<T> {
    const state = await loadCheckpoint(path, { optimizer: false });
    try {
      const module = withoutRandomInit(() => new this(state.hyperParameters));
      loadWeights(module, state.weights, path);
      return module;
    } finally {
      tf.dispose([...state.weights.values(), ...(state.optimizer?.weights ?? [])]);
    }
  }

  abstract trainingStep(batch: B, batchIdx: number): TrainingStepOutput;
  abstract configureOptimizers(): OptimizerConfig;

  /** Optional; log validation metrics from here. */
  validationStep?(batch: B, batchIdx: number): void | tf.Tensor | Record<string, tf.Tensor>;

  /** Optional; log test metrics from here (`trainer.test`). */
  testStep?(batch: B, batchIdx: number): void | tf.Tensor | Record<string, tf.Tensor>;

  /**
   * The model applied to an input; the default predictStep calls it with the whole batch.
   * Optional: a module that only trains need not define it.
   */
  forward?(input: B): tf.Tensor | tf.Tensor[] | Record<string, tf.Tensor>;

  /**
   * What `trainer.predict` collects for one batch (tensors, which the caller then owns). Default:
   * `forward(batch)`, as in Lightning.
   */
  predictStep(batch: B, _batchIdx: number): unknown {
    if (this.forward === undefined) throw new Error(`${this.constructor.name}: trainer.predict needs predictStep(batch, batchIdx) or forward(batch); define one of them`);
    return this.forward(batch);
  }

  get currentEpoch(): number {
    return this.trainer?.currentEpoch ?? 0;
  }

  get globalStep(): number {
    return this.trainer?.globalStep ?? 0;
  }

  /** Logs a scalar; see LogOptions for Lightning's defaults. */
  log(name: string, value: LogValue, options: LogOptions = {}): void {
    if (this.trainer === undefined) throw new Error(`log('${name}') called outside of fit/validate`);
    const sink = logSinkOf(this);
    if (sink === undefined) throw new Error(`log('${name}') called outside of fit/validate`);
    sink(name, value, options);
  }

  logDict(values: Record<string, LogValue>, options: LogOptions = {}): void {
    for (const [name, value] of Object.entries(values)) this.log(name, value, options);
  }

  /** Records hyper-parameters (JSON values) in `hparams`; they go into every checkpoint. */
  saveHyperparameters(params: Record<string, unknown>): void {
    JSON.stringify(params); // fails early on cycles or BigInt
    this.hparams = { ...this.hparams, ...params };
  }

  /**
   * Every weight (trainable or not) under its stable name: the models, layers and variables held
   * in fields, directly or inside arrays, plain objects and nested LightningModules.
   */
  namedWeights(): NamedWeight[] {
    return discoverWeights(this, NOT_WEIGHTS, (value) => value instanceof LightningModule);
  }

  /** The variables the optimizer updates: the trainable ones of {@link namedWeights}. */
  parameters(): tf.Variable[] {
    return this.namedWeights()
      .filter((w) => w.trainable)
      .map((w) => w.variable);
  }

  setup(_stage: Stage): void | Promise<void> {}
  teardown(_stage: Stage): void | Promise<void> {}
  onFitStart(): void | Promise<void> {}
  onFitEnd(): void | Promise<void> {}
  onSanityCheckStart(): void | Promise<void> {}
  onSanityCheckEnd(): void | Promise<void> {}
  onTrainStart(): void | Promise<void> {}
  onTrainEnd(): void | Promise<void> {}
  onTrainEpochStart(): void | Promise<void> {}
  onTrainEpochEnd(): void | Promise<void> {}
  onTrainBatchStart(_batch: unknown, _batchIdx: number): void | Promise<void> {}
  onTrainBatchEnd(_outputs: StepOutput, _batch: unknown, _batchIdx: number): void | Promise<void> {}
  onBeforeOptimizerStep(_optimizer: tf.Optimizer, _grads: tf.NamedTensorMap): void | Promise<void> {}
  onValidationStart(): void | Promise<void> {}
  onValidationEnd(): void | Promise<void> {}
  onValidationEpochStart(): void | Promise<void> {}
  onValidationEpochEnd(): void | Promise<void> {}
  onValidationBatchStart(_batch: unknown, _batchIdx: number): void | Promise<void> {}
  onValidationBatchEnd(_outputs: StepOutput, _batch: unknown, _batchIdx: number): void | Promise<void> {}
  onTestStart(): void | Promise<void> {}
  onTestEnd(): void | Promise<void> {}
  onTestEpochStart(): void | Promise<void> {}
  onTestEpochEnd(): void | Promise<void> {}
  onTestBatchStart(_batch: unknown, _batchIdx: number): void | Promise<void> {}
  onTestBatchEnd(_outputs: StepOutput, _batch: unknown, _batchIdx: number): void | Promise<void> {}
  onPredictStart(): void | Promise<void> {}
  onPredictEnd(): void | Promise<void> {}
  onPredictEpochStart(): void | Promise<void> {}
  onPredictEpochEnd(): void | Promise<void> {}
  onPredictBatchStart(_batch: unknown, _batchIdx: number): void | Promise<void> {}
  onPredictBatchEnd(_outputs: unknown, _batch: unknown, _batchIdx: number): void | Promise<void> {}
  onException(_error: unknown): void | Promise<void> {}
  /** Add anything JSON-serialisable to `checkpoint.extra`; it comes back in `onLoadCheckpoint`. */
  onSaveCheckpoint(_checkpoint: CheckpointState): void | Promise<void> {}
  onLoadCheckpoint(_checkpoint: CheckpointState): void | Promise<void> {}
}
