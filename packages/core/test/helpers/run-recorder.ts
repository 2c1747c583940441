import * as tf from '@tensorflow/tfjs';
import { Callback, Checkpoint, type LightningModule, type Logger, type Trainer } from '../../src/index.js';

/** A logger that keeps every row it receives, for exact comparisons of logged metrics. */
export class MemoryLogger implements Logger {
  rows: { step: number; metrics: Record<string, number> }[] = [];
  logMetrics(metrics: Record<string, number>, step: number): void {
    this.rows.push({ step, metrics: { ...metrics } });
  }
}

/** Requests a checkpoint at the given global steps (captured at the end of that step). */
export class SaveAtSteps extends Callback {
  readonly saved: string[] = [];
  constructor(private readonly steps: ReadonlySet<number>, private readonly path: (step: number) => string) {
    super();
  }
  override onTrainBatchEnd(trainer: Trainer): void {
    if (this.steps.has(trainer.globalStep)) {
      const path = this.path(trainer.globalStep);
      this.saved.push(path);
      void trainer.saveCheckpoint(path);
    }
  }
}

/** The optimizer's full state (iterations and slots) as plain arrays. */
export async function optimizerValues(optimizer: tf.Optimizer): Promise<number[][]> {
  const weights = await optimizer.getWeights();
  return Promise.all(weights.map(async (w) => Array.from(await w.tensor.data())));
}

export type { LightningModule };

/** Simulates a crash: throws at the start of the step after `afterStep`, once that step's boundary has passed. */
export class CrashAfterStep extends Callback {
  constructor(private readonly afterStep: number) {
    super();
  }
  override onTrainBatchStart(trainer: Trainer): void {
    if (trainer.globalStep === this.afterStep) throw new Error('simulated crash');
  }
}

/** A callback that only declares a checkpoint folder: what ckptPath 'last' searches and the trainer locks. */
export class CheckpointFolder extends Checkpoint {
  readonly bestModelPath = '';
  readonly bestModelScore = undefined;
  readonly bestKModels = {};
  readonly kBestYamlPath = undefined;
  readonly lastModelPath = '';
  constructor(readonly dirpath: string) {
    super();
  }
}
