import { formatDuration, formatMetrics, formatRate, renderBar } from './format.js';
import type { Meter } from './meter.js';

/** Cells of a live bar: a quarter of the terminal, within these bounds (fixed, so the bar does not jump as text changes). */
const MIN_BAR = 10;
const MAX_BAR = 30;

/** What a progress line shows besides the counts. */
export interface LineInfo {
  /** 'Epoch 3/20', 'Validation', 'Sanity check'. */
  label: string;
  meter: Meter;
  /** Metrics in display order (loss first). */
  metrics: Readonly<Record<string, number>>;
}

/** 'Epoch 3/20' (1-based), or 'Epoch 3' when maxEpochs is unknown (-1). */
export function epochLabel(epoch: number, maxEpochs: number): string {
  return maxEpochs === -1 ? `Epoch ${epoch + 1}` : `Epoch ${epoch + 1}/${maxEpochs}`;
}

/**
 * The live line for a terminal `width` characters wide (the writer cuts what does not fit):
 * `Epoch 3/20  [=====>     ] 45/100  12.3it/s  ETA 0:04  loss=0.123 val_loss=0.2`.
 * Without a known total there is no bar and no ETA.
 */
export function liveLine({ label, meter, metrics }: LineInfo, width: number): string {
  const finite = Number.isFinite(meter.total);
  const tail = [finite ? `${meter.done}/${meter.total}` : `${meter.done}`, `${formatRate(meter.rate())}it/s`];
  const eta = meter.eta();
  if (eta !== undefined && meter.done < meter.total) tail.push(`ETA ${formatDuration(eta)}`);
  const shown = formatMetrics(metrics);
  if (shown.length > 0) tail.push(shown.join(' '));
  const text = tail.join('  ');
  if (!finite) return `${label}  ${text}`;
  const cells = Math.min(MAX_BAR, Math.max(MIN_BAR, Math.floor(width / 4)));
  return `${label}  ${renderBar(meter.done, meter.total, cells)} ${text}`;
}

/** The plain end-of-epoch line: `Epoch 3/20: 100 batches, 12.3 it/s, loss=0.123, val_loss=0.2`. */
export function plainLine({ label, meter, metrics }: LineInfo): string {
  return [`${label}: ${meter.done} batches`, `${formatRate(meter.rate())} it/s`, ...formatMetrics(metrics)].join(', ');
}
