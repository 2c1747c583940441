import { Callback, describeKind, describeValue, rejectUnknownOptions, type LightningModule, type OptionKeys, type StepOutput, type Trainer } from '@cairn/core';
import { defaultPrint, type Print } from './print.js';

export interface TerminateOnNaNOptions {
  /**
   * Metrics (names in callbackMetrics) to watch besides the training loss; checked after each
   * training step, each validation and each training epoch. Default none.
   */
  monitor?: string[];
  /** Throw instead of asking the trainer to stop (the run fails at once, whatever minEpochs says). Default false. */
  raiseError?: boolean;
  print?: Print;
}

const KNOWN: OptionKeys<TerminateOnNaNOptions> = { monitor: true, raiseError: true, print: true };

/** What TerminateOnNaN found. */
export interface NonFiniteValue {
  name: string;
  value: number;
  epoch: number;
  globalStep: number;
}

/**
 * Keras's TerminateOnNaN: stops training as soon as the training loss (or a watched metric) is
 * NaN or infinite, instead of training on garbage until the end.
 */
export class TerminateOnNaN extends Callback {
  // Runs after the module's hooks, so metrics the module logs in an epoch-end hook are seen.
  override readonly monitorsMetrics = true;
  readonly monitor: readonly string[];
  readonly raiseError: boolean;
  /** The first non-finite value seen, if any. */
  detected: NonFiniteValue | undefined;
  private readonly print: Print;

  constructor(options: TerminateOnNaNOptions = {}) {
    super();
    rejectUnknownOptions('TerminateOnNaN', options, KNOWN);
    const monitor = options.monitor ?? [];
    if (!Array.isArray(monitor) || !monitor.every((m) => typeof m === 'string' && m.length > 0)) {
      throw new Error(`TerminateOnNaN: monitor must be an array of metric names, got ${describeKind(monitor)}`);
    }
    if (options.raiseError !== undefined && typeof options.raiseError !== 'boolean') {
      throw new Error(`TerminateOnNaN: raiseError must be a boolean (true or false), got ${describeValue(options.raiseError)}`);
    }
    this.monitor = [...monitor];
    this.raiseError = options.raiseError ?? false;
    this.print = options.print ?? defaultPrint;
  }

  override onTrainBatchEnd(trainer: Trainer, _module: LightningModule, outputs: StepOutput): void {
    if (outputs.loss !== undefined) this.inspect(trainer, 'loss', outputs.loss);
    this.inspectMonitored(trainer);
  }

  override onValidationEnd(trainer: Trainer): void {
    if (!trainer.sanityChecking) this.inspectMonitored(trainer);
  }

  override onTrainEpochEnd(trainer: Trainer): void {
    this.inspectMonitored(trainer);
  }

  private inspectMonitored(trainer: Trainer): void {
    for (const name of this.monitor) {
      const value = trainer.callbackMetrics[name];
      if (value !== undefined) this.inspect(trainer, name, value);
    }
  }

  private inspect(trainer: Trainer, name: string, value: number): void {
    if (Number.isFinite(value)) return;
    const found = { name, value, epoch: trainer.currentEpoch, globalStep: trainer.globalStep };
    this.detected ??= found;
    const message = `TerminateOnNaN: ${name} = ${value} at epoch ${found.epoch}, step ${found.globalStep}`;
    if (this.raiseError) throw new Error(`${message}; training aborted`);
    if (!trainer.shouldStop) this.print(`${message}; signaling Trainer to stop.`);
    trainer.shouldStop = true;
  }
}
