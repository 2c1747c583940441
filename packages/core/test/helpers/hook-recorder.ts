import { Callback, type HookName } from '../../src/index.js';

/** Every lifecycle hook, in the order of HookArgs. */
export const HOOKS: HookName[] = [
  'setup', 'teardown', 'onFitStart', 'onFitEnd', 'onSanityCheckStart', 'onSanityCheckEnd', 'onTrainStart', 'onTrainEnd',
  'onTrainEpochStart', 'onTrainEpochEnd', 'onTrainBatchStart', 'onTrainBatchEnd', 'onBeforeOptimizerStep',
  'onValidationStart', 'onValidationEnd', 'onValidationEpochStart', 'onValidationEpochEnd', 'onValidationBatchStart',
  'onValidationBatchEnd', 'onTestStart', 'onTestEnd', 'onTestEpochStart', 'onTestEpochEnd', 'onTestBatchStart', 'onTestBatchEnd',
  'onPredictStart', 'onPredictEnd', 'onPredictEpochStart', 'onPredictEpochEnd', 'onPredictBatchStart', 'onPredictBatchEnd', 'onException', 'onSaveCheckpoint', 'onLoadCheckpoint',
];

/** A callback that records the name of every hook called on it, in order. */
export class Recorder extends Callback {
  readonly calls: string[] = [];
  constructor() {
    super();
    for (const hook of HOOKS) {
      Object.defineProperty(this, hook, { value: () => void this.calls.push(hook) });
    }
  }
}
