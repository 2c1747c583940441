import type { Callback } from '../callbacks/callback.js';
import { Checkpoint } from '../callbacks/checkpoint.js';
import { ModelCheckpoint } from '../callbacks/model-checkpoint/index.js';
import { ProgressBar } from '../callbacks/progress-bar/index.js';
import type { ResolvedTrainerOptions } from './options.js';

/**
 * The callbacks a Trainer adds on its own, as Lightning does: a progress bar (enableProgressBar)
 * and a ModelCheckpoint saving every epoch to `<logDir>/checkpoints` (enableCheckpointing),
 * each only when the user gave none of that kind (any Checkpoint subclass counts as a checkpointing callback).
 */
export function defaultCallbacks(options: ResolvedTrainerOptions, given: readonly Callback[]): Callback[] {
  const added: Callback[] = [];
  if (options.enableProgressBar && !given.some((c) => c instanceof ProgressBar)) added.push(new ProgressBar());
  if (options.enableCheckpointing && !given.some((c) => c instanceof Checkpoint)) added.push(new ModelCheckpoint());
  return added;
}
