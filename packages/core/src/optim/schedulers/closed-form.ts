import type * as tf from '@tensorflow/tfjs';
import { LrSchedulerBase } from './base.js';

/**
 * A schedule whose lr is a function of the step count alone. The lr is computed from the count
 * rather than by multiplying the previous lr (PyTorch's chainable `get_lr`): the values agree
 * with PyTorch's up to float rounding, no rounding accumulates over long runs, and a resumed run
 * gets exactly the lr of an uninterrupted one.
 */
export abstract class ClosedFormLrScheduler<O extends object> extends LrSchedulerBase<O> {
  protected constructor(optimizer: tf.Optimizer, options: O) {
    super(optimizer, options);
    // PyTorch's initial step: the lr of epoch 0 is in force as soon as the scheduler exists
    // (it is the base lr, except for LambdaLR, which applies lrLambda(0)).
    this.apply(this.lrAt(0));
  }

  /** The lr after `epoch` steps. Subclasses keep no fields of their own: this runs inside the base constructor. */
  protected abstract lrAt(epoch: number): number;

  step(): void {
    this.lastEpoch += 1;
    this.apply(this.lrAt(this.lastEpoch));
  }
}
