import type * as tf from '@tensorflow/tfjs';

export type Reduce = 'mean' | 'sum' | 'max' | 'min';

/** Options of `LightningModule.log`, with Lightning's meaning. */
export interface LogOptions {
  /** Record the value of this step. Default: true in training steps, false elsewhere. */
  onStep?: boolean;
  /** Aggregate over the epoch. Default: false in training steps, true elsewhere. */
  onEpoch?: boolean;
  /** Show in the progress bar. Default false. */
  progBar?: boolean;
  /** Send to loggers. Default true. */
  logger?: boolean;
  /** How step values are combined into the epoch value. Default 'mean' (weighted by batch size). */
  reduce?: Reduce;
  /** Weight of this value in the epoch mean. Default: the batch's first dimension. */
  batchSize?: number;
}

export type LogValue = number | tf.Tensor;
