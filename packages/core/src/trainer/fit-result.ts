import type { MetricMap } from '../metrics/metric-store.js';

export type StopReason = 'maxEpochs' | 'maxSteps' | 'shouldStop';

import type { CheckpointReport } from '../callbacks/checkpoint.js';

export type { CheckpointReport };

/** Returned by `fit` and kept as `trainer.result`. */
export interface FitResult {
  /** Epochs completed. */
  epochs: number;
  globalStep: number;
  /** callbackMetrics at the end of the run. */
  metrics: MetricMap;
  stopReason: StopReason;
  /** From the first checkpoint callback: the best checkpoint so far ('' when none). */
  bestModelPath: string;
  bestModelScore: number | undefined;
  bestKModels: Record<string, number>;
  kBestYamlPath: string | undefined;
  lastModelPath: string;
  /** Every checkpoint file this fit wrote, in order. */
  checkpointingFiles: string[];
  checkpointCallbacks: CheckpointReport[];
}
