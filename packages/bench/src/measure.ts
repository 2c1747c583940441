/**
 * Side-by-side measurement: a Cairn path (A) and its baseline (B) run alternately in the same
 * process after a warm-up, so that drift (other processes, page cache, CPU clocks) hits both
 * alike. Each repetition yields one A/B pair; the figure reported is the median of the pairs'
 * ratios, which one noisy repetition cannot move.
 */

export interface Comparison {
  /** Median of A's samples (in the unit the runner returns, usually seconds). */
  a: number;
  /** Median of B's samples. */
  b: number;
  /** Median over repetitions of ratio(a_i, b_i). */
  ratio: number;
  samplesA: number[];
  samplesB: number[];
  reps: number;
}

export interface AlternateOptions {
  warmup: number;
  reps: number;
  /** One run of the Cairn path; resolves with its measurement. */
  a: () => Promise<number>;
  /** One run of the baseline; resolves with its measurement. */
  b: () => Promise<number>;
  /** Ratio of one pair; default a / b (time of Cairn over time of baseline). */
  ratio?: (a: number, b: number) => number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Seconds taken by `fn`. */
export async function seconds(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return (performance.now() - start) / 1000;
}

export async function alternate(options: AlternateOptions): Promise<Comparison> {
  const ratio = options.ratio ?? ((a, b) => a / b);
  for (let i = 0; i < options.warmup; i++) {
    await options.a();
    await options.b();
  }
  const samplesA: number[] = [];
  const samplesB: number[] = [];
  for (let i = 0; i < options.reps; i++) {
    // ABBA order: whichever runs second in a pair gets no systematic advantage (warm caches, heap state).
    if (i % 2 === 0) {
      samplesA.push(await options.a());
      samplesB.push(await options.b());
    } else {
      samplesB.push(await options.b());
      samplesA.push(await options.a());
    }
  }
  const ratios = samplesA.map((a, i) => ratio(a, samplesB[i]!));
  return { a: median(samplesA), b: median(samplesB), ratio: median(ratios), samplesA, samplesB, reps: options.reps };
}
