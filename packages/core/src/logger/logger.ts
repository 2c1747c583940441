/**
 * Receives metrics from the trainer. Implement this to send metrics anywhere (CSVLogger in
 * @cairn/callbacks is one). A logger with state (`stateDict`) gets it saved in checkpoints and
 * restored on resume under `stateKey`.
 */
export interface Logger {
  /** Folder this logger writes to, if any; ModelCheckpoint's default dirpath derives from it. */
  readonly logDir?: string;
  readonly stateKey?: string;
  logMetrics(metrics: Record<string, number>, step: number): void | Promise<void>;
  logHyperparams?(params: Record<string, unknown>): void | Promise<void>;
  /** Makes everything logged so far durable. Called at every epoch end. */
  save?(): void | Promise<void>;
  finalize?(status: 'success' | 'failed'): void | Promise<void>;
  /**
   * Called when fit starts with `ckptPath: 'last'`, before any folder is resolved. A logger that
   * starts a new folder per run (an automatic version) moves to the newest of its folders that
   * holds a checkpoint, the run that stopped: its `logDir`, and so the default checkpoint folder
   * `'last'` searches, is that run's, and logging continues there.
   */
  resumeLatestRun?(): void | Promise<void>;
  stateDict?(): Record<string, unknown>;
  loadStateDict?(state: Record<string, unknown>): void | Promise<void>;
}
