import type { Callback } from '../callback/callback.js';
import type { ResolvedTrainerOptions } from './options.js';

/** The callbacks a Trainer adds on its own (progress bar, checkpointing) when none is given. */
export function defaultCallbacks(_options: ResolvedTrainerOptions, _given: readonly Callback[]): Callback[] {
  return [];
}
