import type { MetricMap } from '../../metrics/metric-store.js';

/** What a ModelCheckpoint reads from the trainer to name and rank a save. */
export interface MetricsSource {
  readonly callbackMetrics: MetricMap;
  readonly currentEpoch: number;
  readonly globalStep: number;
}

/** Lightning's `_monitor_candidates`: the logged metrics, with `epoch` and `step` as integers (a logged value wins). */
export function monitorCandidates(trainer: MetricsSource): MetricMap {
  const metrics = trainer.callbackMetrics;
  return {
    ...metrics,
    epoch: metrics.epoch === undefined ? trainer.currentEpoch : Math.trunc(metrics.epoch),
    step: metrics.step === undefined ? trainer.globalStep : Math.trunc(metrics.step),
  };
}

/**
 * Lightning's rule for a monitor that was never logged: a warning (once per message) until a
 * validation has run, then an error, since after a validation the name is surely wrong.
 */
export class MissingMonitorCheck {
  private readonly warned = new Set<string>();

  constructor(
    private readonly monitor: string,
    private readonly warn: (line: string) => void,
  ) {}

  check(candidates: MetricMap, validationRan: boolean): void {
    if (this.monitor in candidates) return;
    const message =
      `ModelCheckpoint(monitor='${this.monitor}') could not find the monitored key in the logged metrics: ` +
      `${Object.keys(candidates).join(', ')}. HINT: did you call this.log('${this.monitor}', value) in the LightningModule?`;
    if (validationRan) throw new Error(message);
    if (!this.warned.has(message)) this.warn(message);
    this.warned.add(message);
  }
}
