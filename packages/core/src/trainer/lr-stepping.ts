import type { MetricMap } from '../metrics/metric-store.js';
import type { LrSchedulerConfig } from '../optim/lr-scheduler.js';

/**
 * Steps the schedulers whose interval ('step' or 'epoch') just ended, every `frequency` of them
 * (`count`: global steps, or epochs finished); a monitoring scheduler gets its metric.
 */
export function stepLrSchedulers(configs: readonly LrSchedulerConfig[], interval: 'step' | 'epoch', count: number, metrics: MetricMap, warn: (line: string) => void): void {
  for (const config of configs) {
    if ((config.interval ?? 'epoch') !== interval || count % (config.frequency ?? 1) !== 0) continue;
    if (config.monitor === undefined) {
      config.scheduler.step();
      continue;
    }
    const value = metrics[config.monitor];
    if (value === undefined) {
      const message = `lrScheduler monitors '${config.monitor}', which is not among the logged metrics (${Object.keys(metrics).join(', ') || 'none'})`;
      if (config.strict ?? true) throw new Error(message);
      warn(`cairn: ${message}; scheduler step skipped`);
      continue;
    }
    config.scheduler.step(value);
  }
}
