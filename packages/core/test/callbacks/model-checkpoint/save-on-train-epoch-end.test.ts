import { afterEach, describe, expect, it } from 'vitest';
import { ModelCheckpoint, resetRandom, type Trainer, type TrainerOptions } from '../../../src/index.js';
import { fitWith, tmp } from './helpers.js';

afterEach(() => resetRandom());

/** Notes the hook and step of every save (saveTopK -1 without monitor: each save is the new newest). */
class WhereSaved extends ModelCheckpoint {
  readonly saves: string[] = [];
  override async onValidationEnd(trainer: Trainer): Promise<void> {
    await this.noting('validation', trainer, () => super.onValidationEnd(trainer));
  }
  override async onTrainEpochEnd(trainer: Trainer): Promise<void> {
    await this.noting('trainEpochEnd', trainer, () => super.onTrainEpochEnd(trainer));
  }
  private async noting(hook: string, trainer: Trainer, run: () => Promise<void>): Promise<void> {
    const before = this.bestModelPath;
    await run();
    if (this.bestModelPath !== before) this.saves.push(`${hook}@${trainer.globalStep}`);
  }
}

// 5 training batches per epoch; valCheckInterval 0.5 validates after batches 2 and 4.
const cases: { name: string; saveOnTrainEpochEnd?: boolean; trainer: TrainerOptions; saves: string[] }[] = [
  { name: 'default, one validation per epoch: at the train epoch end', trainer: { maxEpochs: 2 }, saves: ['trainEpochEnd@5', 'trainEpochEnd@10'] },
  { name: 'default, no validation: at the train epoch end', trainer: { maxEpochs: 2, limitValBatches: 0, valCheckInterval: 0.5 }, saves: ['trainEpochEnd@5', 'trainEpochEnd@10'] },
  // Lightning would never save here (it tests checkValEveryNEpoch first): see schedule.ts.
  { name: 'default, no validation, checkValEveryNEpoch 2: at the train epoch end', trainer: { maxEpochs: 2, limitValBatches: 0, checkValEveryNEpoch: 2 }, saves: ['trainEpochEnd@5', 'trainEpochEnd@10'] },
  { name: 'default, several validations per epoch: after each', trainer: { maxEpochs: 2, valCheckInterval: 0.5 }, saves: ['validation@2', 'validation@4', 'validation@7', 'validation@9'] },
  { name: 'default, validation every 2 epochs: after it', trainer: { maxEpochs: 4, checkValEveryNEpoch: 2 }, saves: ['validation@10', 'validation@20'] },
  { name: 'true, several validations per epoch: at the train epoch end', saveOnTrainEpochEnd: true, trainer: { maxEpochs: 2, valCheckInterval: 0.5 }, saves: ['trainEpochEnd@5', 'trainEpochEnd@10'] },
  { name: 'true, validation every 2 epochs: every epoch', saveOnTrainEpochEnd: true, trainer: { maxEpochs: 4, checkValEveryNEpoch: 2 }, saves: ['trainEpochEnd@5', 'trainEpochEnd@10', 'trainEpochEnd@15', 'trainEpochEnd@20'] },
  { name: 'false, one validation per epoch: after it', saveOnTrainEpochEnd: false, trainer: { maxEpochs: 2 }, saves: ['validation@5', 'validation@10'] },
  { name: 'false, no validation: never', saveOnTrainEpochEnd: false, trainer: { maxEpochs: 2, limitValBatches: 0 }, saves: [] },
];

describe('ModelCheckpoint saveOnTrainEpochEnd', () => {
  it.each(cases)('$name', async ({ saveOnTrainEpochEnd, trainer, saves }) => {
    const mc = new WhereSaved({ dirpath: await tmp(), saveTopK: -1, filename: '{step}', ...(saveOnTrainEpochEnd === undefined ? {} : { saveOnTrainEpochEnd }) });
    await fitWith([mc], trainer);
    expect(mc.saves).toEqual(saves);
  });
});
