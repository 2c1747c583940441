import { Callback, describeValue, type LightningModule, type Logger, type Trainer } from '@cairn/core';

export interface HistogramMonitorOptions {
  /** Log every N training epochs (Keras's `histogram_freq`). Default 1. */
  everyNEpochs?: number;
  /** Also log weights the optimizer does not train (e.g. batch-norm statistics). Default true. */
  includeNonTrainable?: boolean;
}

/** A logger that can draw histograms (TensorBoardLogger). */
export interface HistogramLogger extends Logger {
  logHistogram(tag: string, values: ArrayLike<number>, step: number): void | Promise<void>;
}

function drawsHistograms(logger: Logger): logger is HistogramLogger {
  return typeof (logger as Partial<HistogramLogger>).logHistogram === 'function';
}

const KNOWN_OPTIONS = new Set(['everyNEpochs', 'includeNonTrainable']);

/**
 * Keras's `histogram_freq`: at the end of every N-th training epoch, a histogram of each module
 * weight (under its checkpoint name) goes to every trainer logger that draws histograms, at the
 * step of that epoch's metrics.
 */
export class HistogramMonitor extends Callback {
  readonly everyNEpochs: number;
  readonly includeNonTrainable: boolean;

  constructor(options: HistogramMonitorOptions = {}) {
    super();
    const fail = (message: string): never => {
      throw new Error(`HistogramMonitor: ${message}`);
    };
    for (const key of Object.keys(options)) {
      if (!KNOWN_OPTIONS.has(key)) fail(`unknown option '${key}' (known: ${[...KNOWN_OPTIONS].join(', ')})`);
    }
    const every = options.everyNEpochs ?? 1;
    if (!Number.isSafeInteger(every) || every < 1) fail(`option 'everyNEpochs' must be a positive integer, got ${describeValue(every)}`);
    if (options.includeNonTrainable !== undefined && typeof options.includeNonTrainable !== 'boolean') fail(`option 'includeNonTrainable' must be a boolean, got ${describeValue(options.includeNonTrainable)}`);
    this.everyNEpochs = every;
    this.includeNonTrainable = options.includeNonTrainable ?? true;
  }

  override async onTrainEpochEnd(trainer: Trainer, module: LightningModule): Promise<void> {
    if ((trainer.currentEpoch + 1) % this.everyNEpochs !== 0) return;
    const loggers = trainer.loggers.filter(drawsHistograms);
    if (loggers.length === 0) return;
    const step = Math.max(0, trainer.globalStep - 1);
    for (const { name, variable, trainable } of module.namedWeights()) {
      if (!trainable && !this.includeNonTrainable) continue;
      // data(), not dataSync(): the only read that works on every backend (webgpu included).
      const values = (await variable.data()) as Float32Array;
      for (const logger of loggers) await logger.logHistogram(name, values, step);
    }
  }
}
