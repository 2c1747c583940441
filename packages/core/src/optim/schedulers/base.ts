import * as tf from '@tensorflow/tfjs';
import { getLearningRate, setLearningRate, type LrScheduler } from '../lr-scheduler.js';
import { describeKind } from '../../options/describe-kind.js';
import { OptionChecker } from './validate.js';

/**
 * Bookkeeping every scheduler shares (PyTorch's LRScheduler): the lr it started from, how many
 * times it stepped, the lr now in force, and a state dict that puts all of it back.
 */
export abstract class LrSchedulerBase<O extends object> implements LrScheduler {
  readonly optimizer: tf.Optimizer;
  /** The options after defaults. */
  readonly options: Readonly<O>;
  /** The optimizer's lr when the scheduler was built (PyTorch's `base_lrs[0]`); restored by loadStateDict. */
  baseLr: number;
  /** How many times `step()` ran (PyTorch's `last_epoch`; it counts optimizer steps when the interval is 'step'). */
  lastEpoch = 0;
  protected lastLr: number;

  protected constructor(optimizer: tf.Optimizer, options: O) {
    const name = new.target.name;
    if (optimizer === null || optimizer === undefined || !(optimizer instanceof tf.Optimizer)) throw new Error(`${name}: the first argument must be a tf.Optimizer, got ${describeKind(optimizer)}`);
    const lr = getLearningRate(optimizer);
    if (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0) {
      throw new Error(`${name}: the optimizer's learningRate must be a finite number >= 0, got ${String(lr)}`);
    }
    this.optimizer = optimizer;
    this.options = Object.freeze({ ...options });
    this.baseLr = lr;
    this.lastLr = lr;
  }

  abstract step(metric?: number): void;

  getLastLr(): number {
    return this.lastLr;
  }

  /** Puts `lr` into the optimizer and records it as the lr in force. */
  protected apply(lr: number): void {
    setLearningRate(this.optimizer, lr);
    this.lastLr = lr;
  }

  stateDict(): Record<string, unknown> {
    return { scheduler: this.constructor.name, lastEpoch: this.lastEpoch, baseLr: this.baseLr, lastLr: this.lastLr, ...this.extraState() };
  }

  /** Restores a state from `stateDict()` and puts its lr back into the optimizer (a resumed run goes on with it). */
  loadStateDict(state: Record<string, unknown>): void {
    const name = this.constructor.name;
    const check = new OptionChecker(`${name}.loadStateDict`, 'state field');
    if (typeof state !== 'object' || state === null) check.fail('state', 'an object', state);
    if (state.scheduler !== name) check.fail('scheduler', `'${name}' (the state comes from another scheduler class)`, state.scheduler);
    const lastEpoch = check.nonNegativeInt('lastEpoch', state.lastEpoch);
    const baseLr = check.number('baseLr', state.baseLr, 0, Infinity);
    const lastLr = check.number('lastLr', state.lastLr, 0, Infinity);
    this.loadExtraState(state, check);
    this.lastEpoch = lastEpoch;
    this.baseLr = baseLr;
    this.apply(lastLr);
  }

  /** State beyond the shared fields (ReduceLROnPlateau's best score and counters). */
  protected extraState(): Record<string, unknown> {
    return {};
  }

  /** Checks and restores what `extraState()` saved; must not change anything when a field is invalid. */
  protected loadExtraState(_state: Record<string, unknown>, _check: OptionChecker): void {}
}
