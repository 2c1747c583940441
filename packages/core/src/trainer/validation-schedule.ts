import type { ResolvedTrainerOptions } from './options.js';

/** Where the loop stands right after a training step (the step is counted). */
export interface StepPosition {
  epoch: number;
  /** Batches of this epoch trained, the step just ended included. */
  batchesDone: number;
  globalStep: number;
  /** Train batches per epoch after limits (Infinity when the source cannot tell). */
  numTrainingBatches: number;
}

/**
 * Lightning's validation schedule: whether a validation pass follows the step that just ended,
 * given checkValEveryNEpoch (null: count steps across epochs) and valCheckInterval (a fraction
 * of the epoch or a batch count). Assumes there is validation data.
 */
export function validationDueAfterStep(position: StepPosition, options: Pick<ResolvedTrainerOptions, 'checkValEveryNEpoch' | 'valCheckInterval'>): boolean {
  const { checkValEveryNEpoch, valCheckInterval } = options;
  if (checkValEveryNEpoch === null) return 'count' in valCheckInterval && position.globalStep % valCheckInterval.count === 0;
  if ((position.epoch + 1) % checkValEveryNEpoch !== 0) return false;
  const done = position.batchesDone;
  if ('count' in valCheckInterval) return done % valCheckInterval.count === 0;
  if (!Number.isFinite(position.numTrainingBatches)) return false;
  const every = Math.max(1, Math.floor(position.numTrainingBatches * valCheckInterval.fraction));
  return done % every === 0 || (valCheckInterval.fraction === 1 && done === position.numTrainingBatches);
}
