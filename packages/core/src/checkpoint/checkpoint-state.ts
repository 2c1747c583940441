import type * as tf from '@tensorflow/tfjs';
import type { DataLoaderState } from '../data/data-loader.js';
import type { MetricStore } from '../metrics/metric-store.js';
import type { RandomState } from '../rng/global-random.js';

/** Where the fit loop stands: the next step to run is batch `batchesDone` of epoch `epoch`. */
export interface TrainingProgress {
  epoch: number;
  globalStep: number;
  batchesDone: number;
}

/** Optimizer state: `getWeights()` in order (iterations first, then slots) plus private fields. */
export interface OptimizerState {
  className: string;
  config: Record<string, unknown>;
  /** Stable names of `weights`, in getWeights() order. */
  slotNames: string[];
  weights: tf.Tensor[];
  /** Private values getWeights misses but exactness needs (Adam's accBeta1/accBeta2). */
  privateState: Record<string, number>;
}

/**
 * A checkpoint in memory, as hooks see it. Tensors are clones owned by the checkpoint;
 * everything else is JSON. Modules add their own JSON under `extra` in onSaveCheckpoint.
 */
export interface CheckpointState {
  cairnVersion: string;
  weightsOnly: boolean;
  /** Epoch and step when the save was requested (what file names show). */
  epoch: number;
  globalStep: number;
  /** The loop position a resume continues from. */
  progress: TrainingProgress;
  shouldStop: boolean;
  weights: Map<string, tf.Tensor>;
  optimizer: OptimizerState | undefined;
  callbacks: Record<string, Record<string, unknown>>;
  loggers: Record<string, Record<string, unknown>>;
  lrSchedulers: Record<string, unknown>[];
  random: RandomState | undefined;
  trainLoader: DataLoaderState | undefined;
  /** The LightningDataModule's stateDict(), when the fit used one. */
  dataModule: Record<string, unknown> | undefined;
  metrics: ReturnType<MetricStore['stateDict']> | undefined;
  hyperParameters: Record<string, unknown>;
  extra: Record<string, unknown>;
}
