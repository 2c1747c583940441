import type * as tf from '@tensorflow/tfjs';
import type { LightningModule } from '../module/lightning-module.js';
import type { Trainer } from '../trainer/trainer.js';
import type { CheckpointState } from '../checkpoint/checkpoint-state.js';

/** What a trainer call is doing: fit, validate, test or predict (the argument of setup/teardown). */
export type Stage = 'fit' | 'validate' | 'test' | 'predict';

/**
 * Every lifecycle hook, with its arguments after (trainer, module). Callbacks, the
 * LightningModule and event listeners all see the same hooks with the same arguments.
 */
export interface HookArgs {
  setup: [stage: Stage];
  teardown: [stage: Stage];
  onFitStart: [];
  onFitEnd: [];
  onSanityCheckStart: [];
  onSanityCheckEnd: [];
  onTrainStart: [];
  onTrainEnd: [];
  onTrainEpochStart: [];
  onTrainEpochEnd: [];
  onTrainBatchStart: [batch: unknown, batchIdx: number];
  onTrainBatchEnd: [outputs: StepOutput, batch: unknown, batchIdx: number];
  onBeforeOptimizerStep: [optimizer: tf.Optimizer, grads: tf.NamedTensorMap];
  onValidationStart: [];
  onValidationEnd: [];
  onValidationEpochStart: [];
  onValidationEpochEnd: [];
  onValidationBatchStart: [batch: unknown, batchIdx: number];
  onValidationBatchEnd: [outputs: StepOutput, batch: unknown, batchIdx: number];
  onTestStart: [];
  onTestEnd: [];
  onTestEpochStart: [];
  onTestEpochEnd: [];
  onTestBatchStart: [batch: unknown, batchIdx: number];
  onTestBatchEnd: [outputs: StepOutput, batch: unknown, batchIdx: number];
  onPredictStart: [];
  onPredictEnd: [];
  onPredictEpochStart: [];
  onPredictEpochEnd: [];
  onPredictBatchStart: [batch: unknown, batchIdx: number];
  onPredictBatchEnd: [outputs: unknown, batch: unknown, batchIdx: number];
  onException: [error: unknown];
  onSaveCheckpoint: [checkpoint: CheckpointState];
  onLoadCheckpoint: [checkpoint: CheckpointState];
}

export type HookName = keyof HookArgs;

/** What a training or validation step produced, as numbers (tensors are read after the step). */
export interface StepOutput {
  /** The training loss of the step; undefined for validation steps that return nothing. */
  loss?: number;
}

export type HookFn<K extends HookName> = (trainer: Trainer, module: LightningModule, ...args: HookArgs[K]) => void | Promise<void>;

/** The module's version of a hook: it reaches the trainer through `this.trainer`. */
export type ModuleHookFn<K extends HookName> = (...args: HookArgs[K]) => void | Promise<void>;

/** Event map of `trainer.events` (eventemitter3): one event per hook, same arguments. */
export type TrainerEvents = { [K in HookName]: (trainer: Trainer, module: LightningModule, ...args: HookArgs[K]) => void };
