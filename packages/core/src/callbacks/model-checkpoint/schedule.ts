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
