import { Callback, describeKind, rejectUnknownOptions, type HookName, type OptionKeys } from '@cairn/core';

/** Any subset of the hooks, with the same names and arguments as Callback's methods. */
export type LambdaHooks = { [K in HookName]?: Callback[K] };

export interface LambdaCallbackOptions {
  /** Key in checkpoints; needed only to tell apart two LambdaCallbacks with the same hooks. */
  stateKey?: string;
}

const KNOWN: OptionKeys<LambdaCallbackOptions> = { stateKey: true };

// Typed as a record of every HookName so a hook added to core fails compilation here until listed.
const HOOKS: Record<HookName, true> = {
  setup: true,
  teardown: true,
  onFitStart: true,
  onFitEnd: true,
  onSanityCheckStart: true,
  onSanityCheckEnd: true,
  onTrainStart: true,
  onTrainEnd: true,
  onTrainEpochStart: true,
  onTrainEpochEnd: true,
  onTrainBatchStart: true,
  onTrainBatchEnd: true,
  onBeforeOptimizerStep: true,
  onValidationStart: true,
  onValidationEnd: true,
  onValidationEpochStart: true,
  onValidationEpochEnd: true,
  onValidationBatchStart: true,
  onValidationBatchEnd: true,
  onTestStart: true,
  onTestEnd: true,
  onTestEpochStart: true,
  onTestEpochEnd: true,
  onTestBatchStart: true,
  onTestBatchEnd: true,
  onPredictStart: true,
  onPredictEnd: true,
  onPredictEpochStart: true,
  onPredictEpochEnd: true,
  onPredictBatchStart: true,
  onPredictBatchEnd: true,
  onException: true,
  onSaveCheckpoint: true,
  onLoadCheckpoint: true,
};

/**
 * A callback made of plain functions (Lightning's and Keras's LambdaCallback):
 * `new LambdaCallback({ onTrainEpochEnd: (trainer) => console.log(trainer.callbackMetrics) })`.
 */
export class LambdaCallback extends Callback {
  private readonly key: string;

  constructor(hooks: LambdaHooks, options: LambdaCallbackOptions = {}) {
    super();
    if (typeof hooks !== 'object' || hooks === null) throw new Error(`LambdaCallback: pass an object of hook functions, got ${describeKind(hooks)}`);
    for (const [name, fn] of Object.entries(hooks)) {
      // A misspelt hook would silently never run: refuse it.
      if (!(name in HOOKS)) throw new Error(`LambdaCallback: '${name}' is not a hook; hooks are ${Object.keys(HOOKS).join(', ')}`);
      if (typeof fn !== 'function') throw new Error(`LambdaCallback: hook '${name}' must be a function, got ${describeKind(fn)}`);
    }
    rejectUnknownOptions('LambdaCallback', options, KNOWN);
    if (options.stateKey !== undefined && (typeof options.stateKey !== 'string' || options.stateKey === '')) throw new Error('LambdaCallback: stateKey must be a non-empty string');
    Object.assign(this, hooks);
    this.key = options.stateKey ?? `LambdaCallback{${Object.keys(hooks).sort().join(',')}}`;
  }

  override get stateKey(): string {
    return this.key;
  }
}
