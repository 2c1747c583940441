import type * as tf from '@tensorflow/tfjs';

/** A learning-rate schedule attached to one optimizer; the trainer calls `step` at its interval. */
export interface LrScheduler {
  readonly optimizer: tf.Optimizer;
  /** True for schedulers that step on a metric (ReduceLROnPlateau): their config must name `monitor`. */
  readonly needsMonitor?: boolean;
  /** Advances the schedule; `metric` is the monitored value for plateau-style schedulers. */
  step(metric?: number): void;
  /** The learning rate now in force. */
  getLastLr(): number;
  stateDict(): Record<string, unknown>;
  loadStateDict(state: Record<string, unknown>): void;
}

/** Lightning's lr_scheduler config dict, camelCased. */
export interface LrSchedulerConfig {
  scheduler: LrScheduler;
  /** Step after every 'epoch' (default) or every optimizer 'step'. */
  interval?: 'epoch' | 'step';
  /** Step every `frequency` intervals. Default 1. */
  frequency?: number;
  /** Metric passed to `step()` (required by ReduceLROnPlateau). */
  monitor?: string;
  /** Throw when `monitor` is missing from callbackMetrics (default true); otherwise warn and skip. */
  strict?: boolean;
  /** Name used by LearningRateMonitor. Default `lr-<OptimizerClass>`. */
  name?: string;
}

/** What `configureOptimizers()` may return. */
export type OptimizerConfig = tf.Optimizer | { optimizer: tf.Optimizer; lrScheduler?: LrScheduler | LrSchedulerConfig };

/** Sets an optimizer's learning rate whatever its class (TF.js keeps it in a field, SGD also caches it). */
export function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  const o = optimizer as unknown as { setLearningRate?: (lr: number) => void; learningRate: number };
  if (typeof o.setLearningRate === 'function') o.setLearningRate(lr);
  else o.learningRate = lr;
}

export function getLearningRate(optimizer: tf.Optimizer): number {
  return (optimizer as unknown as { learningRate: number }).learningRate;
}
