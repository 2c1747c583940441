/**
 * Counts batches against the clock for it/s and ETA. Time spent paused (a validation run inside
 * the training epoch) is not counted against the training rate.
 */
export class Meter {
  done = 0;
  private counted = 0;
  private started = 0;
  private pausedAt: number | undefined;
  private pausedFor = 0;

  constructor(
    /** Expected batches; Infinity when the source cannot tell. */
    readonly total: number,
    /** Batches already done before this meter started (a run resumed mid-epoch). */
    initial = 0,
  ) {
    this.done = initial;
    this.started = performance.now();
  }

  /** Records that `done` batches are finished. */
  update(done: number): void {
    this.counted += done - this.done;
    this.done = done;
  }

  pause(): void {
    this.pausedAt ??= performance.now();
  }

  resume(): void {
    if (this.pausedAt === undefined) return;
    this.pausedFor += performance.now() - this.pausedAt;
    this.pausedAt = undefined;
  }

  /** Batches per second over the batches this meter saw; 0 before the first one. */
  rate(): number {
    const now = this.pausedAt ?? performance.now();
    const seconds = (now - this.started - this.pausedFor) / 1000;
    return this.counted > 0 && seconds > 0 ? this.counted / seconds : 0;
  }

  /** Seconds left, or undefined when the total or the rate is unknown. */
  eta(): number | undefined {
    const rate = this.rate();
    if (!Number.isFinite(this.total) || rate === 0) return undefined;
    return Math.max(0, this.total - this.done) / rate;
  }
}
