import type * as tf from '@tensorflow/tfjs';
import { ClosedFormLrScheduler } from './closed-form.js';
import { rejectUnknownOptions, type OptionKeys } from '../../options/known-options.js';
import { OptionChecker } from './validate.js';

export interface CosineAnnealingLROptions {
  /** Steps (epochs with interval 'epoch') from the base lr down to etaMin: half a cosine period. Required. */
  tMax: number;
  /** The lowest lr. Default 0. */
  etaMin?: number;
}

const KNOWN: OptionKeys<CosineAnnealingLROptions> = { tMax: true, etaMin: true };

function resolve(options: CosineAnnealingLROptions): Required<CosineAnnealingLROptions> {
  const check = new OptionChecker('CosineAnnealingLR');
  rejectUnknownOptions('CosineAnnealingLR', options, KNOWN);
  return {
    tMax: check.positiveInt('tMax', check.required('tMax', options.tMax)),
    etaMin: check.number('etaMin', options.etaMin ?? 0, 0, Infinity),
  };
}

/**
 * PyTorch's CosineAnnealingLR in its closed form:
 * lr = etaMin + (baseLr - etaMin) * (1 + cos(pi * epoch / tMax)) / 2.
 * PyTorch's default `step()` follows the same curve through a recursive update; the closed form
 * gives the same values up to float rounding. Past tMax the cosine goes on, so the lr climbs back
 * to the base lr at 2 * tMax, as in PyTorch (this is not SGDR's warm restart).
 */
export class CosineAnnealingLR extends ClosedFormLrScheduler<Required<CosineAnnealingLROptions>> {
  constructor(optimizer: tf.Optimizer, options: CosineAnnealingLROptions) {
    super(optimizer, resolve(options));
  }

  protected lrAt(epoch: number): number {
    const { tMax, etaMin } = this.options;
    return etaMin + ((this.baseLr - etaMin) * (1 + Math.cos((Math.PI * epoch) / tMax))) / 2;
  }
}
