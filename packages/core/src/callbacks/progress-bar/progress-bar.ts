import { Callback } from '../callback.js';
import type { StepOutput } from '../hooks.js';
import type { LightningModule } from '../../module/lightning-module.js';
import { rejectUnknownOptions, type OptionKeys } from '../../options/known-options.js';
import type { Trainer } from '../../trainer/trainer.js';
import { epochLabel, liveLine, plainLine, type LineInfo } from './lines.js';
import { Meter } from './meter.js';
import { LiveTerminal, type ProgressStream } from './terminal.js';

export interface ProgressBarOptions {
  /** Where to draw. Default process.stderr. Live bars when `stream.isTTY`, plain lines otherwise. */
  stream?: ProgressStream;
  /** Minimum milliseconds between two redraws of a live bar. Default 100. */
  refreshRate?: number;
  /** Keep each finished epoch's bar as a line of its own (true), or draw every epoch over the last one (false). Default true. */
  leave?: boolean;
}

const KNOWN: OptionKeys<ProgressBarOptions> = { stream: true, refreshRate: true, leave: true };

/** The training epoch on display. */
interface EpochView {
  epoch: number;
  meter: Meter;
  /** The loss of the latest training step. */
  loss: number | undefined;
}

/**
 * Shows training progress. On a terminal: a live bar per epoch (batches, it/s, ETA, the step loss
 * and the metrics logged with `progBar: true`) redrawn in place, with a validation bar below it
 * while validation runs ('Sanity check' before training). Elsewhere (CI, pipes, files): one
 * plain line per epoch when it ends, without any control character.
 */
export class ProgressBar extends Callback {
  // Runs after the module's hooks, so the epoch line includes what the module logs in onTrainEpochEnd.
  override readonly monitorsMetrics = true;
  readonly stream: ProgressStream;
  readonly refreshRate: number;
  readonly leave: boolean;
  /** Undefined in plain mode. */
  private readonly terminal: LiveTerminal | undefined;
  private train: EpochView | undefined;
  private validation: Meter | undefined;
  /** Live lines on screen not yet ended by a newline. */
  private trainLineOpen = false;
  private validationLineOpen = false;

  constructor(options: ProgressBarOptions = {}) {
    super();
    rejectUnknownOptions('ProgressBar', options, KNOWN);
    // Only a missing option takes the default: an explicit null is a mistake worth reporting.
    const stream = options.stream === undefined ? process.stderr : options.stream;
    if (typeof stream !== 'object' || stream === null || typeof stream.write !== 'function') {
      throw new Error("ProgressBar: option 'stream' must have a write(chunk) method");
    }
    const refreshRate = options.refreshRate === undefined ? 100 : options.refreshRate;
    if (typeof refreshRate !== 'number' || !Number.isFinite(refreshRate) || refreshRate < 0) {
      throw new Error(`ProgressBar: option 'refreshRate' must be a finite number of milliseconds >= 0, got ${String(refreshRate)}`);
    }
    if (options.leave !== undefined && typeof options.leave !== 'boolean') {
      throw new Error(`ProgressBar: option 'leave' must be a boolean, got ${String(options.leave)}`);
    }
    this.stream = stream;
    this.refreshRate = refreshRate;
    this.leave = options.leave ?? true;
    this.terminal = stream.isTTY === true ? new LiveTerminal(stream, refreshRate) : undefined;
  }

  /** True when drawing live bars (the stream is a terminal). */
  get isLive(): boolean {
    return this.terminal !== undefined;
  }

  override onTrainStart(): void {
    this.train = undefined;
  }

  override onTrainEpochStart(trainer: Trainer): void {
    this.startEpoch(trainer, 0);
    this.drawTrain(trainer, true);
  }

  override onTrainBatchStart(trainer: Trainer, _module: LightningModule, _batch: unknown, batchIdx: number): void {
    // A run resumed mid-epoch starts here, without onTrainEpochStart.
    if (this.train?.epoch !== trainer.currentEpoch) this.startEpoch(trainer, batchIdx);
  }

  override onTrainBatchEnd(trainer: Trainer, _module: LightningModule, outputs: StepOutput, _batch: unknown, batchIdx: number): void {
    const view = this.train!;
    if (outputs.loss !== undefined) view.loss = outputs.loss;
    view.meter.update(batchIdx + 1);
    this.drawTrain(trainer, batchIdx + 1 === view.meter.total);
  }

  override onValidationStart(trainer: Trainer): void {
    this.validation = new Meter(trainer.sanityChecking ? sanitySteps(trainer) : trainer.numValBatches);
    this.train?.meter.pause();
    if (this.terminal === undefined) return;
    // The validation bar goes below the training bar.
    if (this.trainLineOpen) this.terminal.newline();
    this.validationLineOpen = true;
    this.terminal.draw((width) => liveLine(this.validationInfo(trainer, {}), width), true);
  }

  override onValidationBatchEnd(trainer: Trainer, _module: LightningModule, _outputs: StepOutput, _batch: unknown, batchIdx: number): void {
    const meter = this.validation!;
    meter.update(batchIdx + 1);
    this.terminal?.draw((width) => liveLine(this.validationInfo(trainer, {}), width), batchIdx + 1 === meter.total);
  }

  override onValidationEnd(trainer: Trainer): void {
    this.train?.meter.resume();
    const standalone = trainer.stage === 'validate';
    if (this.terminal === undefined) {
      if (standalone) this.stream.write(`${plainLine(this.validationInfo(trainer, trainer.progressBarMetrics))}\n`);
    } else if (standalone) {
      this.terminal.draw((width) => liveLine(this.validationInfo(trainer, trainer.progressBarMetrics), width), true);
      this.terminal.newline();
    } else if (this.trainLineOpen) {
      this.terminal.closeLine();
      this.drawTrain(trainer, true);
    } else {
      // The sanity check leaves no trace.
      this.terminal.clear();
    }
    this.validationLineOpen = false;
    this.validation = undefined;
  }

  override onTrainEpochEnd(trainer: Trainer): void {
    if (this.train === undefined) return;
    if (this.terminal === undefined) {
      this.stream.write(`${plainLine(this.trainInfo(trainer, this.train))}\n`);
      return;
    }
    this.drawTrain(trainer, true);
    if (this.leave) this.endLines();
  }

  override onTrainEnd(): void {
    this.endLines();
  }

  override onException(): void {
    // The error message starts on a line of its own.
    this.endLines();
  }

  private startEpoch(trainer: Trainer, batchesDone: number): void {
    this.train = { epoch: trainer.currentEpoch, meter: new Meter(trainer.numTrainingBatches, batchesDone), loss: undefined };
  }

  private drawTrain(trainer: Trainer, force: boolean): void {
    if (this.terminal === undefined || this.train === undefined) return;
    const view = this.train;
    this.terminal.draw((width) => liveLine(this.trainInfo(trainer, view), width), force);
    this.trainLineOpen = true;
  }

  private trainInfo(trainer: Trainer, view: EpochView): LineInfo {
    const loss: Record<string, number> = view.loss === undefined ? {} : { loss: view.loss };
    return { label: epochLabel(view.epoch, trainer.options.maxEpochs), meter: view.meter, metrics: { ...loss, ...trainer.progressBarMetrics } };
  }

  private validationInfo(trainer: Trainer, metrics: Readonly<Record<string, number>>): LineInfo {
    return { label: trainer.sanityChecking ? 'Sanity check' : 'Validation', meter: this.validation!, metrics };
  }

  /** Ends every open live line. */
  private endLines(): void {
    if (this.terminal === undefined) return;
    if (this.trainLineOpen || this.validationLineOpen) this.terminal.newline();
    this.trainLineOpen = false;
    this.validationLineOpen = false;
  }
}

/** Batches of the sanity check, as the trainer counts them. */
function sanitySteps(trainer: Trainer): number {
  const steps = trainer.options.numSanityValSteps;
  return steps === -1 ? trainer.numValBatches : Math.min(steps, trainer.numValBatches);
}
