/**
 * Retention beyond top-k (TF's CheckpointManager, Orbax): the `keepLastN` newest ranked saves
 * rotate, and saves picked by `keepEveryNHours` (wall clock) or `keepPeriod` (global step) are
 * kept for good. A file is deleted only when it is in none of these sets nor in the top k; the
 * sets are part of the callback's state, so they survive resume.
 */
export interface RetentionOptions {
  /** The N newest ranked saves are kept (0: off). */
  keepLastN: number;
  /** A save at least this long (ms, wall clock) after the previous kept-for-good one is kept for good. */
  keepEveryMs: number | undefined;
  /** A save at a global step divisible by this is kept for good. */
  keepPeriod: number | undefined;
}

export interface RetentionState {
  /** Ranked saves in order, newest last; at most keepLastN. */
  recent: string[];
  /** Saves never to be deleted. */
  permanent: string[];
  /** Wall-clock ms from which the next save is kept for good. */
  nextKeepTime: number | undefined;
}

export class Retention {
  private state: RetentionState = { recent: [], permanent: [], nextKeepTime: undefined };

  constructor(private readonly options: RetentionOptions) {}

  get active(): boolean {
    return this.options.keepLastN > 0 || this.options.keepEveryMs !== undefined || this.options.keepPeriod !== undefined;
  }

  /** A fresh fit starts the keepEveryNHours clock (a restored one keeps its own). */
  start(now: number): void {
    if (this.options.keepEveryMs !== undefined) this.state.nextKeepTime ??= now + this.options.keepEveryMs;
  }

  private keptForGoodAt(step: number, now: number): boolean {
    const { keepEveryMs, keepPeriod } = this.options;
    const byTime = keepEveryMs !== undefined && this.state.nextKeepTime !== undefined && now >= this.state.nextKeepTime;
    return byTime || (keepPeriod !== undefined && step % keepPeriod === 0);
  }

  /** Whether a save point wants a file even when it does not enter the top k. */
  wantsSave(step: number, now: number): boolean {
    return this.options.keepLastN > 0 || this.keptForGoodAt(step, now);
  }

  /** Records a ranked save; returns the saves that just left the keepLastN window. */
  record(path: string, step: number, now: number): string[] {
    if (this.keptForGoodAt(step, now)) {
      this.state.permanent.push(path);
      if (this.options.keepEveryMs !== undefined && this.state.nextKeepTime !== undefined && now >= this.state.nextKeepTime) this.state.nextKeepTime = now + this.options.keepEveryMs;
    }
    if (this.options.keepLastN === 0) return [];
    this.state.recent = [...this.state.recent.filter((p) => p !== path), path];
    return this.state.recent.splice(0, Math.max(0, this.state.recent.length - this.options.keepLastN));
  }

  keeps(path: string): boolean {
    return this.state.recent.includes(path) || this.state.permanent.includes(path);
  }

  /** Every file retention keeps, for the resume cleanup. */
  kept(): string[] {
    return [...this.state.recent, ...this.state.permanent];
  }

  stateDict(): RetentionState {
    return { recent: [...this.state.recent], permanent: [...this.state.permanent], nextKeepTime: this.state.nextKeepTime };
  }

  loadStateDict(saved: unknown): void {
    if (typeof saved !== 'object' || saved === null) return;
    const s = saved as Partial<RetentionState>;
    const paths = (value: unknown): string[] => (Array.isArray(value) ? value.filter((p): p is string => typeof p === 'string') : []);
    this.state = { recent: paths(s.recent), permanent: paths(s.permanent), nextKeepTime: typeof s.nextKeepTime === 'number' ? s.nextKeepTime : this.state.nextKeepTime };
  }
}
