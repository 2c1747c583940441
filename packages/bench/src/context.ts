/** What every benchmark receives from main. */
export interface BenchContext {
  /** Smoke run: small sizes, one repetition, no warm-up beyond one pair. */
  quick: boolean;
  /** Scratch folder on the file system being measured; removed at the end. */
  dir: string;
  /** Progress line on stderr. */
  say: (line: string) => void;
  /**
   * `--accelerator NAME`: a GPU accelerator ('webgpu' or 'gpu') whose backend-speed rows are required.
   * Unset: webgpu rows appear when Dawn finds an adapter.
   */
  accelerator?: 'webgpu' | 'gpu';
}

/** Repetitions and warm-up pairs for a benchmark: `full` normally, a single pair in quick mode. */
export function repsFor(ctx: BenchContext, full: number): { reps: number; warmup: number } {
  return ctx.quick ? { reps: 1, warmup: 0 } : { reps: full, warmup: 1 };
}
