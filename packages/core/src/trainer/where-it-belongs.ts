import * as tf from '@tensorflow/tfjs';
import { Callback } from '../callbacks/callback.js';
import { DataLoader } from '../data/data-loader.js';
import type { Logger } from '../logger/logger.js';
import { LightningModule } from '../module/lightning-module.js';
import { describeKind } from '../options/describe-kind.js';

export function isLogger(value: unknown): value is Logger {
  return typeof value === 'object' && value !== null && !(value instanceof Callback) && typeof (value as Logger).logMetrics === 'function';
}

/** Where a Cairn object of a known kind is passed, for errors about one given in the wrong place. */
export function whereItBelongs(value: unknown): string | undefined {
  // Also keeps null away from tf.Optimizer's Symbol.hasInstance, which reads fields without a check.
  if (typeof value !== 'object' || value === null) return undefined;
  if (value instanceof Callback) return "a Callback goes in the Trainer's 'callbacks' option";
  if (isLogger(value)) return "a logger goes in the Trainer's 'logger' option (or in 'callbacks')";
  if (value instanceof LightningModule) return 'a LightningModule is the first argument of trainer.fit(module, trainData, valData)';
  if (value instanceof DataLoader) return 'a DataLoader is trainData or valData of trainer.fit(module, trainData, valData)';
  if (value instanceof tf.Optimizer) return "an optimizer is what the module's configureOptimizers() returns";
  return undefined;
}

/** `got a DataLoader (a DataLoader is trainData ...)`: the class received, and where it belongs when Cairn knows. */
export function gotWrongKind(value: unknown): string {
  const where = whereItBelongs(value);
  return `got ${describeKind(value)}${where === undefined ? '' : ` (${where})`}`;
}
