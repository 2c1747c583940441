import type { MetricSeries } from './metric-series.js';

/** One chart of the report: its title and the series drawn on it. */
export interface ChartGroup {
  title: string;
  series: MetricSeries[];
}

const STAGE_PREFIX = /^(train|training|val|valid|validation|test)[_/-]/;
const AGGREGATION_SUFFIX = /[_/-](step|epoch)$/;
/** Names LearningRateMonitor and common loggers give learning rates: `lr-Adam`, `lr-Adam/pg1`, `lr`, `learning_rate`. */
const LEARNING_RATE = /^(lr|learning[_-]?rate)($|[-_/])/i;
/** The epoch counter loggers record next to the metrics: a bookkeeping column, not a curve. */
const COUNTERS = new Set(['epoch']);

export const LEARNING_RATE_CHART = 'learning rate';

/**
 * The chart a metric goes on: train and validation values of one quantity share a chart
 * (`train_loss_step`, `train_loss_epoch` and `val_loss` all go on `loss`); every learning rate
 * goes on one chart. Undefined for counters that are not curves.
 */
export function chartTitleOf(tag: string): string | undefined {
  if (COUNTERS.has(tag)) return undefined;
  if (LEARNING_RATE.test(tag)) return LEARNING_RATE_CHART;
  const base = tag.replace(STAGE_PREFIX, '').replace(AGGREGATION_SUFFIX, '');
  return base === '' ? tag : base;
}

/** Charts in a stable order: by title, the learning rate last. */
export function groupCharts(series: readonly MetricSeries[]): ChartGroup[] {
  const groups = new Map<string, MetricSeries[]>();
  for (const s of series) {
    const title = chartTitleOf(s.tag);
    if (title === undefined || s.points.length === 0) continue;
    if (!groups.has(title)) groups.set(title, []);
    groups.get(title)!.push(s);
  }
  const rank = (title: string): number => (title === LEARNING_RATE_CHART ? 1 : 0);
  return [...groups.entries()]
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([title, members]) => ({ title, series: members }));
}
