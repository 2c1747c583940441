import type * as tf from '@tensorflow/tfjs';
import { ClosedFormLrScheduler } from './closed-form.js';
import { rejectUnknownOptions, type OptionKeys } from '../../options/known-options.js';
import { OptionChecker } from './validate.js';

export interface LambdaLROptions {
  /** The lr factor after `epoch` steps: lr = baseLr * lrLambda(epoch). Required. Not saved in checkpoints (code is never stored). */
  lrLambda: (epoch: number) => number;
}

const KNOWN: OptionKeys<LambdaLROptions> = { lrLambda: true };

function resolve(options: LambdaLROptions): LambdaLROptions {
  const check = new OptionChecker('LambdaLR');
  rejectUnknownOptions('LambdaLR', options, KNOWN);
  const lrLambda = check.required('lrLambda', options.lrLambda);
  if (typeof lrLambda !== 'function') check.fail('lrLambda', 'a function (epoch) => factor', lrLambda);
  return { lrLambda };
}

/** PyTorch's LambdaLR: lr = baseLr * lrLambda(epoch), lrLambda(0) applied at construction. */
export class LambdaLR extends ClosedFormLrScheduler<LambdaLROptions> {
  constructor(optimizer: tf.Optimizer, options: LambdaLROptions) {
    super(optimizer, resolve(options));
  }

  protected lrAt(epoch: number): number {
    const factor = this.options.lrLambda(epoch);
    if (typeof factor !== 'number' || !Number.isFinite(factor) || factor < 0) {
      throw new Error(`LambdaLR: lrLambda(${epoch}) must return a finite number >= 0, got ${String(factor)}`);
    }
    return this.baseLr * factor;
  }
}
