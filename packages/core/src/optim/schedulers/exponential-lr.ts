import type * as tf from '@tensorflow/tfjs';
import { ClosedFormLrScheduler } from './closed-form.js';
import { rejectUnknownOptions, type OptionKeys } from '../../options/known-options.js';
import { OptionChecker } from './validate.js';

export interface ExponentialLROptions {
  /** Multiplier applied at every step. Required. */
  gamma: number;
}

const KNOWN: OptionKeys<ExponentialLROptions> = { gamma: true };

function resolve(options: ExponentialLROptions): Required<ExponentialLROptions> {
  const check = new OptionChecker('ExponentialLR');
  rejectUnknownOptions('ExponentialLR', options, KNOWN);
  return { gamma: check.number('gamma', check.required('gamma', options.gamma), 0, Infinity, { min: true }) };
}

/** PyTorch's ExponentialLR: lr = baseLr * gamma ^ epoch. */
export class ExponentialLR extends ClosedFormLrScheduler<Required<ExponentialLROptions>> {
  constructor(optimizer: tf.Optimizer, options: ExponentialLROptions) {
    super(optimizer, resolve(options));
  }

  protected lrAt(epoch: number): number {
    return this.baseLr * this.options.gamma ** epoch;
  }
}
