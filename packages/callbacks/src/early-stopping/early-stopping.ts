import { Callback, describeValue, rejectUnknownOptions, type LightningModule, type MonitorMode, type OptionKeys, type Stage, type Trainer } from '@cairn/core';
import { defaultPrint, type Print } from '../print.js';
import { BestWeights } from './best-weights.js';
import { evaluate, initialState, type StoppingReason, type StoppingRule } from './criteria.js';

export interface EarlyStoppingOptions {
  /** Metric to watch, as logged (e.g. 'val_loss'). */
  monitor: string;
  /** An improvement must beat the best by more than this. As in Lightning the sign is kept: a negative value lets a slightly worse value count. Default 0. */
  minDelta?: number;
  /** Checks without improvement before stopping (counted in validation checks). Default 3. */
  patience?: number;
  /** Print each improvement and the stop. Default false. */
  verbose?: boolean;
  /** 'min' (default): lower is better; 'max': higher is better. */
  mode?: MonitorMode;
  /** Throw when the metric is missing (default true); otherwise skip the check (warn when verbose). */
  strict?: boolean;
  /** Stop when the metric becomes NaN or infinite. Default true. */
  checkFinite?: boolean;
  /** Stop as soon as the metric is better than this. */
  stoppingThreshold?: number;
  /** Stop as soon as the metric is worse than this. */
  divergenceThreshold?: number;
  /**
   * Check at the end of each training epoch instead of after each validation. Default (Lightning's
   * rule): true when validation runs exactly once per epoch (valCheckInterval 1.0,
   * checkValEveryNEpoch 1) — then both points see the same metrics — else false.
   */
  checkOnTrainEpochEnd?: boolean;
  /** Keras: the metric must beat this to reset patience. */
  baseline?: number;
  /** Keras: at the end of training, put back the weights of the best check. Default false. */
  restoreBestWeights?: boolean;
  /** Keras: no check before this epoch (a warm-up). Default 0. */
  startFromEpoch?: number;
  print?: Print;
}

const KNOWN: OptionKeys<EarlyStoppingOptions> = {
  monitor: true,
  minDelta: true,
  patience: true,
  verbose: true,
  mode: true,
  strict: true,
  checkFinite: true,
  stoppingThreshold: true,
  divergenceThreshold: true,
  checkOnTrainEpochEnd: true,
  baseline: true,
  restoreBestWeights: true,
  startFromEpoch: true,
  print: true,
};

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(`EarlyStopping: ${message}`);
}

/** Stops training when a monitored metric stops improving (Lightning's EarlyStopping plus Keras's extras). */
export class EarlyStopping extends Callback {
  override readonly monitorsMetrics = true;
  readonly monitor: string;
  readonly mode: MonitorMode;
  readonly patience: number;
  readonly verbose: boolean;
  readonly strict: boolean;
  readonly startFromEpoch: number;
  readonly restoreBestWeights: boolean;
  waitCount = 0;
  bestScore: number;
  /** Epoch at which this callback last asked to stop (0 when it never did). */
  stoppedEpoch = 0;
  /** Epoch of the best check so far (-1 before the first). */
  bestEpoch = -1;
  stoppingReason: StoppingReason = 'not_stopped';
  stoppingReasonMessage: string | undefined;
  private readonly rule: StoppingRule;
  private readonly checkOnTrainEpochEndOption: boolean | undefined;
  private checkOnTrainEpochEnd = false;
  private readonly bestWeights = new BestWeights();
  private readonly print: Print;

  constructor(options: EarlyStoppingOptions) {
    super();
    rejectUnknownOptions('EarlyStopping', options, KNOWN);
    check(typeof options.monitor === 'string' && options.monitor.length > 0, 'monitor must be a non-empty metric name');
    const mode = options.mode ?? 'min';
    check(mode === 'min' || mode === 'max', `mode must be 'min' or 'max', got ${String(mode)}`);
    const patience = options.patience ?? 3;
    check(Number.isSafeInteger(patience) && patience >= 0, `patience must be a non-negative integer, got ${patience}`);
    const minDelta = options.minDelta ?? 0;
    check(Number.isFinite(minDelta), `minDelta must be a finite number, got ${minDelta}`);
    const startFromEpoch = options.startFromEpoch ?? 0;
    check(Number.isSafeInteger(startFromEpoch) && startFromEpoch >= 0, `startFromEpoch must be a non-negative integer, got ${startFromEpoch}`);
    for (const key of ['stoppingThreshold', 'divergenceThreshold', 'baseline'] as const) {
      check(options[key] === undefined || Number.isFinite(options[key]), `${key} must be a finite number, got ${options[key]}`);
    }
    for (const key of ['verbose', 'strict', 'checkFinite', 'checkOnTrainEpochEnd', 'restoreBestWeights'] as const) {
      check(options[key] === undefined || typeof options[key] === 'boolean', `${key} must be a boolean (true or false), got ${describeValue(options[key])}`);
    }
    check(options.print === undefined || typeof options.print === 'function', 'print must be a function');
    this.monitor = options.monitor;
    this.mode = mode;
    this.patience = patience;
    this.verbose = options.verbose ?? false;
    this.strict = options.strict ?? true;
    this.startFromEpoch = startFromEpoch;
    this.restoreBestWeights = options.restoreBestWeights ?? false;
    this.checkOnTrainEpochEndOption = options.checkOnTrainEpochEnd;
    this.print = options.print ?? defaultPrint;
    this.rule = {
      monitor: this.monitor,
      mode,
      minDelta,
      patience,
      checkFinite: options.checkFinite ?? true,
      stoppingThreshold: options.stoppingThreshold,
      divergenceThreshold: options.divergenceThreshold,
      baseline: options.baseline,
    };
    this.bestScore = initialState(mode).bestScore;
  }

  /** Several EarlyStoppings may coexist when they watch different metrics or modes (Lightning's state_key). */
  override get stateKey(): string {
    return `EarlyStopping{monitor=${this.monitor},mode=${this.mode}}`;
  }

  get minDelta(): number {
    return this.rule.minDelta;
  }

  override stateDict(): Record<string, unknown> {
    return {
      waitCount: this.waitCount,
      stoppedEpoch: this.stoppedEpoch,
      bestScore: this.bestScore,
      bestEpoch: this.bestEpoch,
      stoppingReason: this.stoppingReason,
      stoppingReasonMessage: this.stoppingReasonMessage ?? null,
    };
  }

  override loadStateDict(state: Record<string, unknown>): void {
    this.waitCount = state.waitCount as number;
    this.stoppedEpoch = state.stoppedEpoch as number;
    this.bestScore = state.bestScore as number;
    this.bestEpoch = (state.bestEpoch as number | undefined) ?? -1;
    this.stoppingReason = (state.stoppingReason as StoppingReason | undefined) ?? 'not_stopped';
    this.stoppingReasonMessage = (state.stoppingReasonMessage as string | null | undefined) ?? undefined;
  }

  override setup(trainer: Trainer, _module: LightningModule, _stage: Stage): void {
    const { valCheckInterval, checkValEveryNEpoch } = trainer.options;
    this.checkOnTrainEpochEnd = this.checkOnTrainEpochEndOption ?? ('fraction' in valCheckInterval && valCheckInterval.fraction === 1 && checkValEveryNEpoch === 1);
  }

  override onTrainEpochEnd(trainer: Trainer, module: LightningModule): void {
    if (this.checkOnTrainEpochEnd) this.runCheck(trainer, module);
  }

  override onValidationEnd(trainer: Trainer, module: LightningModule): void {
    if (!this.checkOnTrainEpochEnd) this.runCheck(trainer, module);
  }

  override onTrainEnd(trainer: Trainer, module: LightningModule): void {
    if (!this.restoreBestWeights) return;
    if (this.bestWeights.held) {
      this.bestWeights.restore(module);
      if (this.verbose) this.print(`EarlyStopping: restored the weights of the best check (epoch ${this.bestEpoch}, ${this.monitor} = ${this.bestScore}).`);
    } else if (this.bestEpoch >= 0 && trainer.ckptPath !== undefined) {
      // Weight copies are not part of the checkpoint: after a resume only a new best can be restored.
      this.print(`EarlyStopping: the best weights (epoch ${this.bestEpoch}) predate the resume and were not kept; the final weights stay. Load the best checkpoint of a ModelCheckpoint monitoring '${this.monitor}' instead.`);
    }
  }

  override teardown(): void {
    // Reused across fits, the counters and best score carry on (Lightning); a weight copy never
    // does: it belongs to the fit (and module) that took it, so a later fit can never restore it.
    this.bestWeights.dispose();
  }

  private runCheck(trainer: Trainer, module: LightningModule): void {
    if (!trainer.isRealTraining) return;
    if (trainer.currentEpoch < this.startFromEpoch) return;
    const current = trainer.callbackMetrics[this.monitor];
    if (current === undefined) {
      const available = Object.keys(trainer.callbackMetrics);
      const message = `Early stopping conditioned on metric \`${this.monitor}\` which is not available. Pass in or modify your \`EarlyStopping\` callback to use any of the following: ${available.length > 0 ? available.map((k) => `\`${k}\``).join(', ') : '(no metric was logged)'}`;
      if (this.strict) throw new Error(message);
      if (this.verbose) this.print(`EarlyStopping: ${message}`);
      return;
    }
    const decision = evaluate(this.rule, { bestScore: this.bestScore, waitCount: this.waitCount }, current);
    ({ bestScore: this.bestScore, waitCount: this.waitCount } = decision.next);
    if (decision.improved) {
      this.bestEpoch = trainer.currentEpoch;
      if (this.restoreBestWeights) this.bestWeights.take(module);
    }
    if (decision.stop) {
      trainer.shouldStop = true;
      this.stoppedEpoch = trainer.currentEpoch;
      this.stoppingReason = decision.reason;
      this.stoppingReasonMessage = decision.message;
    }
    if (this.verbose && decision.message !== undefined) this.print(decision.message);
  }
}
