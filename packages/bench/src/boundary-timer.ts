import { Callback, type Trainer } from '@cairn/core';

/**
 * Times each step boundary: from the first onTrainBatchEnd callback (this one, a plain callback,
 * runs before the module and before ModelCheckpoint) to the next onTrainBatchStart event (emitted
 * after every callback). The interval holds ModelCheckpoint's decision, the snapshot taken at the
 * boundary, and fetching the next batch: everything the loop waits for between two steps.
 */
export class BoundaryTimer extends Callback {
  /** Boundary wall time in ms, keyed by the global step that just finished. */
  readonly gaps = new Map<number, number>();
  firstStart = 0;
  lastEnd = 0;

  override onTrainStart(trainer: Trainer): void {
    trainer.events.on('onTrainBatchStart', () => {
      const now = performance.now();
      if (this.lastEnd === 0) this.firstStart = now;
      else this.gaps.set(trainer.globalStep, now - this.lastEnd);
    });
  }

  override onTrainBatchEnd(): void {
    this.lastEnd = performance.now();
  }
}
