import type * as tf from '@tensorflow/tfjs';
import { ClosedFormLrScheduler } from './closed-form.js';
import { rejectUnknownOptions, type OptionKeys } from '../../options/known-options.js';
import { OptionChecker } from './validate.js';

export interface StepLROptions {
  /** Decay the lr every `stepSize` steps (epochs with interval 'epoch'). Required. */
  stepSize: number;
  /** Multiplier applied at each decay. Default 0.1. */
  gamma?: number;
}

const KNOWN: OptionKeys<StepLROptions> = { stepSize: true, gamma: true };

function resolve(options: StepLROptions): Required<StepLROptions> {
  const check = new OptionChecker('StepLR');
  rejectUnknownOptions('StepLR', options, KNOWN);
  return {
    stepSize: check.positiveInt('stepSize', check.required('stepSize', options.stepSize)),
    gamma: check.number('gamma', options.gamma ?? 0.1, 0, Infinity, { min: true }),
  };
}

/** PyTorch's StepLR: lr = baseLr * gamma ^ floor(epoch / stepSize). */
export class StepLR extends ClosedFormLrScheduler<Required<StepLROptions>> {
  constructor(optimizer: tf.Optimizer, options: StepLROptions) {
    super(optimizer, resolve(options));
  }

  protected lrAt(epoch: number): number {
    return this.baseLr * this.options.gamma ** Math.floor(epoch / this.options.stepSize);
  }
}
