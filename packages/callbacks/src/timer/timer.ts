import { performance } from 'node:perf_hooks';
import { Callback, describeValue, parseDuration, rejectUnknownOptions, type Duration, type OptionKeys, type Trainer } from '@cairn/core';
import { defaultPrint, type Print } from '../print.js';
import { formatDuration } from './format-duration.js';

export type TimerPhase = 'train' | 'validate';

export interface TimerOptions {
  /** Stop once training has run this long (a Duration: 'DD:HH:MM:SS', '2h', `{ hours: 2 }` or milliseconds). Default: no limit (only measure). */
  maxTime?: Duration;
  /** Check after every training 'step' (default) or at every 'epoch' end. */
  interval?: 'step' | 'epoch';
  /** Say when the limit is reached. Default true. */
  verbose?: boolean;
  print?: Print;
  /** Monotonic clock in milliseconds (tests pass a fake one). Default performance.now. */
  now?: () => number;
}

const KNOWN: OptionKeys<TimerOptions> = { maxTime: true, interval: true, verbose: true, print: true, now: true };

/**
 * Lightning's Timer: measures training and validation time and stops training cleanly once
 * `maxTime` has passed. Training time is saved in checkpoints, so it accumulates over resumes.
 */
export class Timer extends Callback {
  readonly maxTime: number | undefined;
  readonly interval: 'step' | 'epoch';
  readonly verbose: boolean;
  private readonly starts: Record<TimerPhase, number | undefined> = { train: undefined, validate: undefined };
  private readonly ends: Record<TimerPhase, number | undefined> = { train: undefined, validate: undefined };
  /** Training time of the runs before a resume. */
  private offset = 0;
  /** This timer asked the trainer to stop (saved: the checkpoint also keeps the trainer's stop request). */
  private stopped = false;
  private readonly print: Print;
  private readonly now: () => number;

  constructor(options: TimerOptions = {}) {
    super();
    rejectUnknownOptions('Timer', options, KNOWN);
    const interval = options.interval ?? 'step';
    if (interval !== 'step' && interval !== 'epoch') throw new Error(`Timer: interval must be 'step' or 'epoch', got ${String(interval)}`);
    if (options.verbose !== undefined && typeof options.verbose !== 'boolean') throw new Error(`Timer: verbose must be a boolean (true or false), got ${describeValue(options.verbose)}`);
    this.maxTime = options.maxTime === undefined ? undefined : parseDuration('Timer', 'maxTime', options.maxTime);
    this.interval = interval;
    this.verbose = options.verbose ?? true;
    this.print = options.print ?? defaultPrint;
    this.now = options.now ?? (() => performance.now());
  }

  /** Clock reading (ms, monotonic) when the phase last started; undefined before. */
  startTime(phase: TimerPhase = 'train'): number | undefined {
    return this.starts[phase];
  }

  endTime(phase: TimerPhase = 'train'): number | undefined {
    return this.ends[phase];
  }

  /** Milliseconds spent in the phase (training time includes the runs before a resume). */
  timeElapsed(phase: TimerPhase = 'train'): number {
    const offset = phase === 'train' ? this.offset : 0;
    const start = this.starts[phase];
    if (start === undefined) return offset;
    return (this.ends[phase] ?? this.now()) - start + offset;
  }

  /** Milliseconds left before maxTime; undefined without a limit. */
  timeRemaining(phase: TimerPhase = 'train'): number | undefined {
    return this.maxTime === undefined ? undefined : this.maxTime - this.timeElapsed(phase);
  }

  override stateDict(): Record<string, unknown> {
    return { timeElapsed: { train: this.timeElapsed('train'), validate: this.timeElapsed('validate') }, stopped: this.stopped };
  }

  override loadStateDict(state: Record<string, unknown>): void {
    const elapsed = state.timeElapsed as Partial<Record<TimerPhase, number>> | undefined;
    this.offset = elapsed?.train ?? 0;
    this.stopped = state.stopped === true;
  }

  override onTrainStart(): void {
    this.starts.train = this.now();
    this.ends.train = undefined;
  }

  override onTrainEnd(): void {
    this.ends.train = this.now();
  }

  override onValidationStart(): void {
    this.starts.validate = this.now();
    this.ends.validate = undefined;
  }

  override onValidationEnd(): void {
    this.ends.validate = this.now();
  }

  /** Checked whatever the interval: a restored state may already be out of time. */
  override onFitStart(trainer: Trainer): void {
    // The checkpoint of a run this timer stopped carries the trainer's stop request; resumed with
    // a longer maxTime, the run goes on (Lightning does not save the request, so it goes on too).
    if (this.stopped && this.maxTime !== undefined && this.timeElapsed('train') < this.maxTime) trainer.shouldStop = false;
    this.stopped = false;
    this.checkTime(trainer);
  }

  override onTrainBatchEnd(trainer: Trainer): void {
    if (this.interval === 'step') this.checkTime(trainer);
  }

  override onTrainEpochEnd(trainer: Trainer): void {
    if (this.interval === 'epoch') this.checkTime(trainer);
  }

  private checkTime(trainer: Trainer): void {
    if (this.maxTime === undefined || this.timeElapsed('train') < this.maxTime) return;
    if (this.verbose && !trainer.shouldStop) this.print(`Time limit reached. Elapsed time is ${formatDuration(this.timeElapsed('train'))}. Signaling Trainer to stop.`);
    trainer.shouldStop = true;
    this.stopped = true;
  }
}
