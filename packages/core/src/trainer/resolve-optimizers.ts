import * as tf from '@tensorflow/tfjs';
import type { LrScheduler, LrSchedulerConfig, OptimizerConfig } from '../optim/lr-scheduler.js';
import { describeKind } from '../options/describe-kind.js';

function isScheduler(value: unknown): value is LrScheduler {
  return typeof value === 'object' && value !== null && typeof (value as LrScheduler).step === 'function' && 'optimizer' in value;
}

/** Normalises what `configureOptimizers()` returned, checking it on the way. */
export function resolveOptimizers(config: OptimizerConfig): { optimizer: tf.Optimizer; lrSchedulers: LrSchedulerConfig[] } {
  // tf.Optimizer's instanceof check reads fields of its operand: null would crash inside it.
  if (config !== null && config !== undefined && config instanceof tf.Optimizer) return { optimizer: config, lrSchedulers: [] };
  if (typeof config !== 'object' || config === null || !(config.optimizer instanceof tf.Optimizer)) {
    const got = typeof config === 'object' && config !== null && !(config instanceof tf.Optimizer) && 'optimizer' in config ? `{ optimizer: ${describeKind(config.optimizer)} }` : describeKind(config);
    throw new Error(`configureOptimizers() must return a tf.Optimizer or { optimizer, lrScheduler? }, got ${got}`);
  }
  const raw = config.lrScheduler;
  if (raw === undefined) return { optimizer: config.optimizer, lrSchedulers: [] };
  const scheduler: LrSchedulerConfig = isScheduler(raw) ? { scheduler: raw } : raw;
  if (!isScheduler(scheduler.scheduler)) {
    throw new Error(`configureOptimizers(): lrScheduler must be a scheduler or { scheduler, interval?, frequency?, monitor? }, got ${describeKind(raw)}`);
  }
  if (scheduler.interval !== undefined && scheduler.interval !== 'epoch' && scheduler.interval !== 'step') {
    throw new Error(`configureOptimizers(): lrScheduler.interval must be 'epoch' or 'step', got ${String(scheduler.interval)}`);
  }
  if (scheduler.frequency !== undefined && (!Number.isSafeInteger(scheduler.frequency) || scheduler.frequency < 1)) {
    throw new Error(`configureOptimizers(): lrScheduler.frequency must be a positive integer, got ${String(scheduler.frequency)}`);
  }
  if (scheduler.scheduler.needsMonitor === true && scheduler.monitor === undefined) {
    throw new Error(`configureOptimizers(): ${scheduler.scheduler.constructor.name} needs 'monitor' in its lrScheduler config, e.g. { scheduler, monitor: 'val_loss' }`);
  }
  if (scheduler.scheduler.optimizer !== config.optimizer) {
    throw new Error('configureOptimizers(): the lrScheduler was built for another optimizer than the one returned');
  }
  return { optimizer: config.optimizer, lrSchedulers: [scheduler] };
}
