import * as tf from '@tensorflow/tfjs';
import type { LogOptions, LogValue, Reduce } from './log-options.js';

/**
 * Which loop's epoch aggregates a logged value joins: a phase of a run, not its Stage (the entry
 * point: fit, validate, test, predict). Sanity check and validation share one phase.
 */
export type MetricPhase = 'train' | 'validation' | 'test';
export type MetricMap = Record<string, number>;

interface Accumulator {
  reduce: Reduce;
  total: number;
  weight: number;
  progBar: boolean;
  logger: boolean;
  /** Both onStep and onEpoch: the name is forked into name_step / name_epoch for loggers. */
  forked: boolean;
}

interface Pending {
  name: string;
  value: LogValue;
  onStep: boolean;
  onEpoch: boolean;
  progBar: boolean;
  logger: boolean;
  reduce: Reduce;
  weight: number;
}

/** Serialisable epoch accumulators of the training phase (so a mid-epoch resume is exact). */
export type MetricStoreState = Record<string, Accumulator>;

const REDUCES: readonly Reduce[] = ['mean', 'sum', 'max', 'min'];

function combine(acc: Accumulator, value: number, weight: number): void {
  switch (acc.reduce) {
    case 'mean':
      acc.total += value * weight;
      acc.weight += weight;
      break;
    case 'sum':
      acc.total += value;
      break;
    case 'max':
      acc.total = acc.weight === 0 ? value : Math.max(acc.total, value);
      acc.weight = 1;
      break;
    case 'min':
      acc.total = acc.weight === 0 ? value : Math.min(acc.total, value);
      acc.weight = 1;
      break;
  }
}

function result(acc: Accumulator): number {
  if (acc.reduce === 'mean') return acc.weight === 0 ? Number.NaN : acc.total / acc.weight;
  return acc.total;
}

/**
 * Everything `log()` feeds: step values and epoch aggregates per phase, and the three views the
 * trainer exposes (callbackMetrics, loggedMetrics, progressBarMetrics).
 */
export class MetricStore {
  readonly callbackMetrics: MetricMap = {};
  readonly loggedMetrics: MetricMap = {};
  readonly progressBarMetrics: MetricMap = {};
  private pending: Pending[] = [];
  /** Values published since loggers last took them. */
  private forLoggers: MetricMap = {};
  private readonly epochs: Record<MetricPhase, Map<string, Accumulator>> = { train: new Map(), validation: new Map(), test: new Map() };

  /**
   * Records a value. Tensors are kept and read after the step, so logging inside a gradient
   * computation neither forces a sync nor loses the tensor when the tape is disposed.
   */
  log(name: string, value: LogValue, options: LogOptions, stepContext: boolean, batchSize: number | undefined): void {
    if (typeof name !== 'string' || name.length === 0) throw new Error('log: name must be a non-empty string');
    const reduce = options.reduce ?? 'mean';
    if (!REDUCES.includes(reduce)) throw new Error(`log('${name}'): reduce must be one of ${REDUCES.join(', ')}, got ${String(reduce)}`);
    let kept: LogValue;
    if (value instanceof tf.Tensor) {
      if (value.size !== 1) throw new Error(`log('${name}'): value must be a scalar, got a tensor of shape [${value.shape.join(', ')}]`);
      kept = tf.keep(value.clone());
    } else if (typeof value === 'number') {
      kept = value;
    } else {
      throw new Error(`log('${name}'): value must be a number or a scalar tensor`);
    }
    this.pending.push({
      name,
      value: kept,
      onStep: options.onStep ?? stepContext,
      onEpoch: options.onEpoch ?? !stepContext,
      progBar: options.progBar ?? false,
      logger: options.logger ?? true,
      reduce,
      weight: options.batchSize ?? batchSize ?? 1,
    });
  }

  /** Starts a phase's epoch: forgets its previous aggregates. */
  resetEpoch(phase: MetricPhase): void {
    this.epochs[phase].clear();
  }

  /**
   * Reads the values logged since the last flush and folds them into the step views and the
   * epoch aggregates of `phase`.
   */
  async flush(phase: MetricPhase): Promise<void> {
    const pending = this.pending;
    this.pending = [];
    const forLogger = this.forLoggers;
    for (const p of pending) {
      const value = typeof p.value === 'number' ? p.value : (await p.value.data())[0]!;
      if (typeof p.value !== 'number') p.value.dispose();
      const forked = p.onStep && p.onEpoch;
      if (p.onStep) {
        this.callbackMetrics[p.name] = value;
        if (forked) this.callbackMetrics[`${p.name}_step`] = value;
        if (p.progBar) this.progressBarMetrics[p.name] = value;
        if (p.logger) forLogger[forked ? `${p.name}_step` : p.name] = value;
      }
      if (p.onEpoch) {
        const epoch = this.epochs[phase];
        let acc = epoch.get(p.name);
        if (acc === undefined) {
          acc = { reduce: p.reduce, total: 0, weight: 0, progBar: p.progBar, logger: p.logger, forked };
          epoch.set(p.name, acc);
        }
        combine(acc, value, p.weight);
      }
    }
  }

  /** Ends a phase's epoch: publishes the epoch aggregates (values logged since are a new epoch). */
  async endEpoch(phase: MetricPhase): Promise<void> {
    await this.flush(phase);
    const forLogger = this.forLoggers;
    for (const [name, acc] of this.epochs[phase]) {
      const value = result(acc);
      this.callbackMetrics[name] = value;
      if (acc.forked) this.callbackMetrics[`${name}_epoch`] = value;
      if (acc.progBar) this.progressBarMetrics[name] = value;
      if (acc.logger) forLogger[acc.forked ? `${name}_epoch` : name] = value;
    }
    this.epochs[phase].clear();
  }

  /** What was published for loggers since the last call; records it as loggedMetrics. */
  takeForLoggers(): MetricMap {
    const taken = this.forLoggers;
    this.forLoggers = {};
    Object.assign(this.loggedMetrics, taken);
    return taken;
  }

  /** Forgets everything (after the sanity check, as Lightning does). */
  clear(): void {
    for (const view of [this.callbackMetrics, this.loggedMetrics, this.progressBarMetrics]) {
      for (const key of Object.keys(view)) delete view[key];
    }
    this.resetEpoch('train');
    this.resetEpoch('validation');
    this.resetEpoch('test');
    this.forLoggers = {};
  }

  /** Drops values logged but not yet flushed (an exception interrupted the step). */
  discardPending(): void {
    for (const p of this.pending) if (typeof p.value !== 'number') p.value.dispose();
    this.pending = [];
  }

  stateDict(): { callbackMetrics: MetricMap; loggedMetrics: MetricMap; progressBarMetrics: MetricMap; trainEpoch: MetricStoreState } {
    return {
      callbackMetrics: { ...this.callbackMetrics },
      loggedMetrics: { ...this.loggedMetrics },
      progressBarMetrics: { ...this.progressBarMetrics },
      trainEpoch: Object.fromEntries([...this.epochs.train].map(([k, v]) => [k, { ...v }])),
    };
  }

  loadStateDict(state: ReturnType<MetricStore['stateDict']>): void {
    this.clear();
    Object.assign(this.callbackMetrics, state.callbackMetrics);
    Object.assign(this.loggedMetrics, state.loggedMetrics);
    Object.assign(this.progressBarMetrics, state.progressBarMetrics);
    for (const [name, acc] of Object.entries(state.trainEpoch)) this.epochs.train.set(name, { ...acc });
  }
}
