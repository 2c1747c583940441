import * as tf from '@tensorflow/tfjs';
import { Callback, type Trainer } from '../../src/index.js';

/**
 * Records `tf.memory().numTensors` at the end of the given global steps. A leak of one tensor per
 * step shows as a higher count at the later step. `settle` runs first, for state that is
 * legitimately alive for a while (a checkpoint snapshot whose background write is running).
 */
export class TensorCountProbe extends Callback {
  readonly counts = new Map<number, number>();

  constructor(
    private readonly steps: readonly number[],
    private readonly settle: (trainer: Trainer) => Promise<void> = async () => undefined,
  ) {
    super();
  }

  override async onTrainBatchEnd(trainer: Trainer): Promise<void> {
    if (!this.steps.includes(trainer.globalStep)) return;
    await this.settle(trainer);
    this.counts.set(trainer.globalStep, tf.memory().numTensors);
  }
}

/**
 * Waits until the checkpoints of every finished epoch are on disk: each one holds a snapshot of
 * the weights until its write ends, which would count as tensors alive at the probe.
 */
export async function epochCheckpointsWritten(trainer: Trainer): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (trainer.checkpointingFiles.length < trainer.currentEpoch) {
    if (Date.now() > deadline) throw new Error(`only ${trainer.checkpointingFiles.length} of ${trainer.currentEpoch} epoch checkpoints were written`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
