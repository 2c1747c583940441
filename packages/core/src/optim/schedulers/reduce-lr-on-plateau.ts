import type * as tf from '@tensorflow/tfjs';
import { isImprovement, worstScore, type MonitorMode } from '../../monitor/mode.js';
import { getLearningRate } from '../lr-scheduler.js';
import { LrSchedulerBase } from './base.js';
import { rejectUnknownOptions, type OptionKeys } from '../../options/known-options.js';
import { OptionChecker } from './validate.js';

export interface ReduceLROnPlateauOptions {
  /** 'min': the metric should go down (a loss); 'max': up (an accuracy). Default 'min'. */
  mode?: MonitorMode;
  /** New lr = lr * factor. Must be < 1. Default 0.1. */
  factor?: number;
  /** Steps without improvement tolerated; the lr is reduced at the (patience + 1)-th. Default 10. */
  patience?: number;
  /** How much better than the best a value must be to count as an improvement. Default 1e-4. */
  threshold?: number;
  /** 'rel': better than best * (1 -/+ threshold); 'abs': better than best -/+ threshold. Default 'rel'. */
  thresholdMode?: 'rel' | 'abs';
  /** Steps after a reduction during which bad steps are not counted. Default 0. */
  cooldown?: number;
  /** The lr never goes below this. Default 0. */
  minLr?: number;
  /** A reduction smaller than this is skipped. Default 1e-8. */
  eps?: number;
  /** Print a line at each reduction. Default false. */
  verbose?: boolean;
  /** Where verbose lines go. Default console.error. */
  print?: (line: string) => void;
}

type Resolved = Required<ReduceLROnPlateauOptions>;

const KNOWN: OptionKeys<ReduceLROnPlateauOptions> = { mode: true, factor: true, patience: true, threshold: true, thresholdMode: true, cooldown: true, minLr: true, eps: true, verbose: true, print: true };

function resolve(options: ReduceLROnPlateauOptions): Resolved {
  const check = new OptionChecker('ReduceLROnPlateau');
  rejectUnknownOptions('ReduceLROnPlateau', options, KNOWN);
  if (options.verbose !== undefined && typeof options.verbose !== 'boolean') check.fail('verbose', 'a boolean', options.verbose);
  if (options.print !== undefined && typeof options.print !== 'function') check.fail('print', 'a function', options.print);
  return {
    mode: check.oneOf('mode', options.mode ?? 'min', ['min', 'max'] as const),
    factor: check.number('factor', options.factor ?? 0.1, 0, 1, { max: true }),
    patience: check.nonNegativeInt('patience', options.patience ?? 10),
    threshold: check.number('threshold', options.threshold ?? 1e-4, 0, Infinity),
    thresholdMode: check.oneOf('thresholdMode', options.thresholdMode ?? 'rel', ['rel', 'abs'] as const),
    cooldown: check.nonNegativeInt('cooldown', options.cooldown ?? 0),
    minLr: check.number('minLr', options.minLr ?? 0, 0, Infinity),
    eps: check.number('eps', options.eps ?? 1e-8, 0, Infinity),
    verbose: options.verbose ?? false,
    print: options.print ?? ((line) => console.error(line)),
  };
}

/**
 * PyTorch's ReduceLROnPlateau, rule for rule: a step whose metric is not better than the best
 * (by `threshold`) is a bad step; after more than `patience` bad steps the lr is multiplied by
 * `factor` (not below `minLr`, and only when it changes by more than `eps`), then `cooldown`
 * steps pass with bad steps ignored. NaN is never an improvement.
 * Keras's version differs: it reduces after `patience` bad epochs (PyTorch's patience - 1) and
 * compares with an absolute `min_delta` (thresholdMode 'abs').
 */
export class ReduceLROnPlateau extends LrSchedulerBase<Resolved> {
  /** Needs the monitored metric: its lrScheduler config must set `monitor`. */
  readonly needsMonitor = true;
  /** Best value seen (Infinity / -Infinity before the first step). */
  best: number = worstScore(this.options.mode);
  /** Bad steps since the last improvement or reduction. */
  numBadEpochs = 0;
  /** Steps of cooldown left. */
  cooldownCounter = 0;

  constructor(optimizer: tf.Optimizer, options: ReduceLROnPlateauOptions = {}) {
    super(optimizer, resolve(options));
  }

  get inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  step(metric?: number): void {
    if (typeof metric !== 'number') {
      throw new Error(`ReduceLROnPlateau.step() needs the monitored metric, got ${String(metric)}; set 'monitor' in the lrScheduler config`);
    }
    this.lastEpoch += 1;
    if (this.isBetter(metric)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.inCooldown) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.options.patience) {
      this.reduce();
      this.cooldownCounter = this.options.cooldown;
      this.numBadEpochs = 0;
    }
    // The optimizer's lr is the truth, as in PyTorch (someone may have set it by hand).
    this.lastLr = getLearningRate(this.optimizer);
  }

  /** PyTorch's `is_better`, including its sign quirk: 'rel' scales the best value, so it assumes a positive metric. */
  isBetter(value: number): boolean {
    const { mode, threshold, thresholdMode } = this.options;
    if (thresholdMode === 'abs') return isImprovement(mode, value, this.best, threshold);
    // PyTorch's exact bound, best * (1 -/+ threshold), rather than best -/+ best * threshold.
    return isImprovement(mode, value, this.best * (mode === 'min' ? 1 - threshold : 1 + threshold));
  }

  private reduce(): void {
    const old = getLearningRate(this.optimizer);
    const next = Math.max(old * this.options.factor, this.options.minLr);
    if (old - next <= this.options.eps) return;
    this.apply(next);
    if (this.options.verbose) this.options.print(`ReduceLROnPlateau: step ${this.lastEpoch}: reducing learning rate to ${next.toExponential(4)}`);
  }

  protected override extraState(): Record<string, unknown> {
    return { best: this.best, numBadEpochs: this.numBadEpochs, cooldownCounter: this.cooldownCounter };
  }

  protected override loadExtraState(state: Record<string, unknown>, check: OptionChecker): void {
    if (typeof state.best !== 'number' || Number.isNaN(state.best)) check.fail('best', 'a number', state.best);
    const numBadEpochs = check.nonNegativeInt('numBadEpochs', state.numBadEpochs);
    const cooldownCounter = check.nonNegativeInt('cooldownCounter', state.cooldownCounter);
    this.best = state.best;
    this.numBadEpochs = numBadEpochs;
    this.cooldownCounter = cooldownCounter;
  }
}
