import type { Trainer } from '../../trainer/trainer.js';
import type { ResolvedCheckpointOptions } from './options.js';

/**
 * Lightning's rule for epoch-based saves: at the training epoch's end when validation runs exactly
 * once per epoch (or never), else after each validation.
 *
 * One change: no validation means the train epoch end whatever checkValEveryNEpoch says. Lightning
 * tests checkValEveryNEpoch first because it cannot tell yet whether validation data will come;
 * the trainer knows it here, and that order would leave a run without validation with no saves.
 */
export function savesOnTrainEpochEnd(trainer: Trainer, options: ResolvedCheckpointOptions): boolean {
  if (options.saveOnTrainEpochEnd !== undefined) return options.saveOnTrainEpochEnd;
  if (trainer.numValBatches === 0) return true;
  if (trainer.options.checkValEveryNEpoch !== 1) return false;
  const interval = trainer.options.valCheckInterval;
  return 'fraction' in interval && interval.fraction === 1;
}

/** Whether this epoch is one of every N (counted from 1). */
export function epochTriggerDue(trainer: Trainer, options: ResolvedCheckpointOptions): boolean {
  return options.everyNEpochs >= 1 && (trainer.currentEpoch + 1) % options.everyNEpochs === 0;
}

/**
 * Whether a validation runs after the step that just ended (called from onTrainBatchEnd). A save
 * triggered by that step waits for it, so its file name and ranking use the fresh validation
 * metrics instead of the previous validation's (Lightning #20185).
 *
 * This restates the trainer's private schedule from its public state. It answers false when the
 * validation length is unknown (an iterable without length, or no validation data): the save then
 * happens at once, with the metrics known at that point, as in Lightning.
 */
export function validationFollowsStep(trainer: Trainer): boolean {
  if (!Number.isFinite(trainer.numValBatches) || trainer.numValBatches === 0) return false;
  const { checkValEveryNEpoch, valCheckInterval } = trainer.options;
  if (checkValEveryNEpoch === null) return 'count' in valCheckInterval && trainer.globalStep % valCheckInterval.count === 0;
  if ((trainer.currentEpoch + 1) % checkValEveryNEpoch !== 0) return false;
  const done = trainer.batchesDone;
  if ('count' in valCheckInterval) return done % valCheckInterval.count === 0;
  if (!Number.isFinite(trainer.numTrainingBatches)) return false;
  const every = Math.max(1, Math.floor(trainer.numTrainingBatches * valCheckInterval.fraction));
  return done % every === 0 || (valCheckInterval.fraction === 1 && done === trainer.numTrainingBatches);
}
