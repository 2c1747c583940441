import { Callback, describeValue, getLearningRate, rejectUnknownOptions, type LightningModule, type OptionKeys, type Trainer } from '@cairn/core';
import type * as tf from '@tensorflow/tfjs';
import { defaultPrint, type Print } from './print.js';

export interface LearningRateMonitorOptions {
  /**
   * 'step' or 'epoch' logs every optimizer at that interval; undefined (the default) logs each
   * scheduled optimizer at its scheduler's interval, and an optimizer without a scheduler at both.
   */
  loggingInterval?: 'step' | 'epoch';
  /** Also log `<name>-momentum` (Adam's beta1, the momentum of Momentum and RMSProp; 0 for the others). Default false. */
  logMomentum?: boolean;
  print?: Print;
}

type Interval = 'step' | 'epoch';

const KNOWN: OptionKeys<LearningRateMonitorOptions> = { loggingInterval: true, logMomentum: true, print: true };

/** One logged learning rate: its optimizer, metric name, and the interval it belongs to ('any' when unscheduled). */
interface Tracked {
  optimizer: tf.Optimizer;
  name: string;
  interval: Interval | 'any';
}

/** The momentum-like term of a TF.js optimizer, read from its public config. */
function momentumOf(optimizer: tf.Optimizer): number | undefined {
  const config = optimizer.getConfig();
  const value = config.beta1 ?? config.momentum;
  return typeof value === 'number' ? value : undefined;
}

/**
 * Lightning's LearningRateMonitor: logs the learning rate as `lr-<OptimizerClass>` (or the
 * lrScheduler config's `name`) through `module.log`, so it reaches callbackMetrics and every
 * logger. Step values are logged at the start of the step that uses them; epoch values at the
 * start of the epoch and published with the epoch's other metrics.
 */
export class LearningRateMonitor extends Callback {
  readonly loggingInterval: Interval | undefined;
  readonly logMomentum: boolean;
  private readonly print: Print;

  constructor(options: LearningRateMonitorOptions = {}) {
    super();
    rejectUnknownOptions('LearningRateMonitor', options, KNOWN);
    if (options.loggingInterval !== undefined && options.loggingInterval !== 'step' && options.loggingInterval !== 'epoch') {
      throw new Error(`LearningRateMonitor: option 'loggingInterval' must be 'step', 'epoch' or undefined, got ${describeValue(options.loggingInterval)}`);
    }
    if (options.logMomentum !== undefined && typeof options.logMomentum !== 'boolean') {
      throw new Error(`LearningRateMonitor: option 'logMomentum' must be a boolean, got ${describeValue(options.logMomentum)}`);
    }
    this.loggingInterval = options.loggingInterval;
    this.logMomentum = options.logMomentum ?? false;
    this.print = options.print ?? defaultPrint;
  }

  override onTrainStart(trainer: Trainer): void {
    if (!this.logMomentum) return;
    const without = this.tracked(trainer).filter((t) => momentumOf(t.optimizer) === undefined);
    if (without.length > 0) {
      this.print(`LearningRateMonitor: logMomentum is set but ${without.map((t) => t.optimizer.getClassName()).join(', ')} has no momentum; 0 is logged for it`);
    }
  }

  override onTrainBatchStart(trainer: Trainer, module: LightningModule): void {
    // In a training step's context: the value lands in callbackMetrics after the step.
    if (this.loggingInterval !== 'epoch') this.logAt(trainer, module, 'step');
  }

  override onTrainEpochStart(trainer: Trainer, module: LightningModule): void {
    // An epoch value: aggregated over the epoch (a single value) and published at its end.
    if (this.loggingInterval !== 'step') this.logAt(trainer, module, 'epoch');
  }

  private logAt(trainer: Trainer, module: LightningModule, interval: Interval): void {
    const options = { onStep: interval === 'step', onEpoch: interval === 'epoch', progBar: false, logger: true };
    for (const t of this.tracked(trainer)) {
      // With an explicit loggingInterval every optimizer follows it; otherwise each its own.
      if (this.loggingInterval === undefined && t.interval !== 'any' && t.interval !== interval) continue;
      module.log(t.name, getLearningRate(t.optimizer), options);
      if (this.logMomentum) module.log(`${t.name}-momentum`, momentumOf(t.optimizer) ?? 0, options);
    }
  }

  /** Scheduled optimizers under their config's name, then the trainer's optimizer if no scheduler covers it. */
  private tracked(trainer: Trainer): Tracked[] {
    const tracked: Tracked[] = trainer.lrSchedulers.map((config) => ({
      optimizer: config.scheduler.optimizer,
      name: config.name ?? `lr-${config.scheduler.optimizer.getClassName()}`,
      interval: config.interval ?? 'epoch',
    }));
    const optimizer = trainer.optimizer;
    if (optimizer !== undefined && !tracked.some((t) => t.optimizer === optimizer)) {
      tracked.push({ optimizer, name: `lr-${optimizer.getClassName()}`, interval: 'any' });
    }
    return tracked;
  }
}
