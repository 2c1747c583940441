import type * as tf from '@tensorflow/tfjs';
import type { LightningModule } from '../module/lightning-module.js';
import type { Trainer } from '../trainer/trainer.js';
import type { CheckpointState } from '../checkpoint/checkpoint-state.js';
import type { Stage, StepOutput } from './hooks.js';

/**
 * Base class of every callback: each hook is a no-op method to override; hooks may be async and
 * are awaited. A callback talks to the trainer only through its public surface (currentEpoch,
 * globalStep, callbackMetrics, shouldStop, saveCheckpoint, ...).
 */
export abstract class Callback {
  /**
   * Callbacks that decide from metrics (checkpointing, early stopping) run after the module's
   * own hook, so they see what the module logged in that same hook.
   */
  readonly monitorsMetrics: boolean = false;

  /** Key of this callback's state in a checkpoint. Must be unique among a trainer's callbacks. */
  get stateKey(): string {
    return this.constructor.name;
  }

  /** State to save in checkpoints (JSON-serialisable). */
  stateDict(): Record<string, unknown> {
    return {};
  }

  loadStateDict(_state: Record<string, unknown>): void {}

  setup(_trainer: Trainer, _module: LightningModule, _stage: Stage): void | Promise<void> {}
  teardown(_trainer: Trainer, _module: LightningModule, _stage: Stage): void | Promise<void> {}
  onFitStart(_trainer: Trainer, _module: LightningModule): void | Promise<void> {}
  onFitEnd(_trainer: Trainer, _module: LightningModule): void | Promise<void> {}
  onSanityCheckStart(_trainer: Trainer, _module: LightningModule): void | Promise<void> {}
  onSanityCheckEnd(_trainer: Trainer, _module: LightningModule): void | Promise<void> {}
  onTrainStart(_trainer: Trainer, _module: LightningModule): void | Promise<void> {}
  onTrainEnd(_trainer: Trainer, _module: LightningModule): void | Promise<void> {}
  onTrainEpochStart(_trainer: Trainer, _module: LightningModule): void | Promise<void> {}
  onTrainEpochEnd(_trainer: Trainer, _module: LightningModule): void | Promise<void> {}
  onTrainBatchStart(_trainer: Trainer, _module: LightningModule, _batch: unknown, _batchIdx: number): void | Promise<void> {}
  onTrainBatchEnd(_trainer: Trainer, _module: LightningModule, _outputs: StepOutput, _batch: unknown, _batchIdx: number): void | Promise<void> {}
  onBeforeOptimizerStep(_trainer: Trainer, _module: LightningModule, _optimizer: tf.Optimizer, _grads: tf.NamedTensorMap): void | Promise<void> {}
  onValidationStart(_trainer: Trainer, _module: LightningModule): void | Promise<void> {}
  onValidationEnd(_trainer: Trainer, _module: LightningModule): void | Promise<void> {}
  onValidationEpochStart(_trainer: Trainer, _module: LightningModule): void | Promise<void> {}
  onValidationEpochEnd(_trainer: Trainer, _module: LightningModule): void | Promise<void> {}
  onValidationBatchStart(_trainer: Trainer, _module: LightningModule, _batch: unknown, _batchIdx: number): void | Promise<void> {}
  onValidationBatchEnd(_trainer: Trainer, _module: LightningModule, _outputs: StepOutput, _batch: unknown, _batchIdx: number): void | Promise<void> {}
  onTestStart(_trainer: Trainer, _module: LightningModule): void | Promise<void> {}
  onTestEnd(_trainer: Trainer, _module: LightningModule): void | Promise<void> {}
  onTestEpochStart(_trainer: Trainer, _module: LightningModule): void | Promise<void> {}
  onTestEpochEnd(_trainer: Trainer, _module: LightningModule): void | Promise<void> {}
  onTestBatchStart(_trainer: Trainer, _module: LightningModule, _batch: unknown, _batchIdx: number): void | Promise<void> {}
  onTestBatchEnd(_trainer: Trainer, _module: LightningModule, _outputs: StepOutput, _batch: unknown, _batchIdx: number): void | Promise<void> {}
  onPredictStart(_trainer: Trainer, _module: LightningModule): void | Promise<void> {}
  onPredictEnd(_trainer: Trainer, _module: LightningModule): void | Promise<void> {}
  onPredictEpochStart(_trainer: Trainer, _module: LightningModule): void | Promise<void> {}
  onPredictEpochEnd(_trainer: Trainer, _module: LightningModule): void | Promise<void> {}
  onPredictBatchStart(_trainer: Trainer, _module: LightningModule, _batch: unknown, _batchIdx: number): void | Promise<void> {}
  /** `outputs` is what predictStep returned for this batch (tensors still alive). */
  onPredictBatchEnd(_trainer: Trainer, _module: LightningModule, _outputs: unknown, _batch: unknown, _batchIdx: number): void | Promise<void> {}
  onException(_trainer: Trainer, _module: LightningModule, _error: unknown): void | Promise<void> {}
  onSaveCheckpoint(_trainer: Trainer, _module: LightningModule, _checkpoint: CheckpointState): void | Promise<void> {}
  onLoadCheckpoint(_trainer: Trainer, _module: LightningModule, _checkpoint: CheckpointState): void | Promise<void> {}
}
