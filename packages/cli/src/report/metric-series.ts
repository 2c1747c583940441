import type { MetricsRow, ScalarPoint } from '@cairn/callbacks';

/** One logged metric over the run: (step, value) pairs in step order, one value per step. */
export interface MetricSeries {
  tag: string;
  points: [step: number, value: number][];
}

/** The metric series of a run and the steps where a resumed run's logging begins. */
export interface LoggedRun {
  series: MetricSeries[];
  resumes: number[];
}

/**
 * Series from metrics.csv rows, in file order. A row whose step is lower than the row before it
 * starts a resumed run that appended to the file from an earlier point (a logger that does not
 * cut the file back, as Lightning's CSVLogger): its step is a resume point, and from there on
 * its values replace the earlier ones at the same steps, as TensorBoard does after a restart.
 */
export function seriesFromCsv(rows: readonly MetricsRow[]): LoggedRun {
  const resumes: number[] = [];
  const points = new Map<string, Map<number, number>>();
  let previous = -Infinity;
  for (const { step, values } of rows) {
    if (step < previous) resumes.push(step);
    previous = step;
    for (const [tag, value] of Object.entries(values)) {
      if (!points.has(tag)) points.set(tag, new Map());
      points.get(tag)!.set(step, value);
    }
  }
  return { series: toSeries(points), resumes };
}

/** Series from TensorBoard scalars (file order); a later value at the same tag and step replaces an earlier one. */
export function seriesFromScalars(scalars: readonly ScalarPoint[]): MetricSeries[] {
  const points = new Map<string, Map<number, number>>();
  for (const { tag, step, value } of scalars) {
    if (!points.has(tag)) points.set(tag, new Map());
    points.get(tag)!.set(step, value);
  }
  return toSeries(points);
}

function toSeries(points: Map<string, Map<number, number>>): MetricSeries[] {
  return [...points.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([tag, byStep]) => ({ tag, points: [...byStep.entries()].sort(([a], [b]) => a - b) }));
}
