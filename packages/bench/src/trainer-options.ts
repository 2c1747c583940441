import type { Accelerator, TrainerOptions } from '@cairn/core';

/**
 * Trainer options for benchmarks: no progress bar, no default checkpointing, no sanity
 * validation (the hand-written baselines have none), and no notices on stderr.
 */
export function benchTrainerOptions(accelerator: Accelerator, extra: TrainerOptions = {}): TrainerOptions {
  return {
    accelerator,
    enableProgressBar: false,
    enableCheckpointing: false,
    numSanityValSteps: 0,
    print: () => undefined,
    ...extra,
  };
}
