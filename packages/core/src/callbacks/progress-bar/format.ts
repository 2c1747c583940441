/** Seconds as m:ss, or h:mm:ss from an hour up (tqdm's style). */
export function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** Three significant digits, exponent notation outside [1e-3, 1e4), like tqdm's `{:.3g}`. */
export function formatMetric(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  const magnitude = Math.abs(value);
  if (magnitude === 0 || (magnitude >= 1e-3 && magnitude < 1e4)) return String(Number(value.toPrecision(3)));
  return value.toExponential(2);
}

export function formatRate(perSecond: number): string {
  return perSecond >= 100 ? perSecond.toFixed(0) : perSecond.toFixed(1);
}

/** `[=====>    ]` with `width` cells between the brackets. */
export function renderBar(done: number, total: number, width: number): string {
  const filled = Math.min(width, Math.floor((done / total) * width));
  const head = filled < width && done > 0 ? '>' : '';
  return `[${'='.repeat(filled)}${head}${' '.repeat(width - filled - head.length)}]`;
}

/** `name=value` pairs in the order given. */
export function formatMetrics(metrics: Readonly<Record<string, number>>): string[] {
  return Object.entries(metrics).map(([name, value]) => `${name}=${formatMetric(value)}`);
}
