import type { MetricMap } from '../metrics/metric-store.js';

export type StopReason = 'maxEpochs' | 'maxSteps' | 'shouldStop';

/** What a checkpointing callback reports; ModelCheckpoint implements it. */
export interface CheckpointReport {
  /** Folder the callback writes to; searched by ckptPath 'last'. */
  readonly dirpath: string | undefined;
  readonly bestModelPath: string;
  readonly bestModelScore: number | undefined;
  readonly bestKModels: Readonly<Record<string, number>>;
  readonly kBestYamlPath: string | undefined;
  readonly lastModelPath: string;
  /** For a remote dirpath (a URL): the local folder files are written to before their upload. */
  readonly stagingDir?: string | undefined;
  /** For a remote dirpath: downloads what `ckptPath` ('last' or a URL below it) names; undefined when not its own. */
  resolveResumePath?(ckptPath: string): Promise<string | undefined>;
}

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
