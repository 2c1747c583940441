import { readFile } from 'node:fs/promises';
import { parseRows } from './csv-text.js';

/** One row of metrics.csv: its step and the numeric cells it holds (a sparse row holds few). */
export interface MetricsRow {
  step: number;
  values: Record<string, number>;
}

/**
 * Reads a CSVLogger `metrics.csv` back: rows in file order, empty cells left out. A row without
 * a numeric step is refused, naming its line, since its values could not be placed.
 */
export async function readMetricsCsv(path: string): Promise<MetricsRow[]> {
  const { rows } = parseRows(await readFile(path, 'utf8'));
  return rows.map((row, index) => {
    const step = Number(row.step);
    if (row.step === undefined || row.step === '' || !Number.isFinite(step)) throw new Error(`${path}: row ${index + 2} has no numeric step`);
    const values: Record<string, number> = {};
    for (const [key, cell] of Object.entries(row)) if (key !== 'step' && cell !== '') values[key] = Number(cell);
    return { step, values };
  });
}
