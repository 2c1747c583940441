import type * as tf from '@tensorflow/tfjs';
import type { Callback } from '../callbacks/callback.js';
import type { Checkpoint } from '../callbacks/checkpoint.js';
import type { LightningDataModule } from '../data/data-module.js';
import type { Logger } from '../logger/logger.js';
import type { MetricStore } from '../metrics/metric-store.js';
import type { LightningModule } from '../module/lightning-module.js';
import type { LrSchedulerConfig } from '../optim/lr-scheduler.js';
import type { CheckpointState, TrainingProgress } from './checkpoint-state.js';

/**
 * The one-way port between the loop and the checkpoint machinery: what the loop hands over for
 * saving and restoring. The loop builds it; nothing here knows the Trainer. Reads give the
 * current value each time (the loop moves on between saves).
 */
export interface LoopView {
  /** The module of the current call; undefined before the first. */
  readonly module: LightningModule | undefined;
  /** True while fit's loop runs: a save request then waits for the next step boundary. */
  readonly inFitLoop: boolean;
  /** Where the loop stands; a restore sets it. */
  progress: TrainingProgress;
  /**
   * The epoch a save belongs to (what file names show and `loadCheckpoint(f).epoch` reads): at the
   * boundary after an epoch's end, that epoch, though `progress` already points at the next one.
   */
  readonly saveEpoch: number;
  /** The stop flag; saved, and set back on restore. */
  shouldStop: boolean;
  readonly metrics: Pick<MetricStore, 'stateDict' | 'loadStateDict'>;
  readonly optimizer: tf.Optimizer | undefined;
  readonly lrSchedulers: readonly LrSchedulerConfig[];
  /** The objects whose state a full checkpoint holds, each under its key. */
  readonly callbacks: readonly Callback[];
  readonly loggers: readonly Logger[];
  readonly dataModule: LightningDataModule | undefined;
  /** The checkpointing callbacks: their folders are searched for 'last', the first one knows 'best'. */
  readonly checkpointCallbacks: readonly Checkpoint[];
  /** Runs onSaveCheckpoint / onLoadCheckpoint on callbacks and the module. */
  callHook(hook: 'onSaveCheckpoint' | 'onLoadCheckpoint', module: LightningModule, state: CheckpointState): Promise<void>;
}
