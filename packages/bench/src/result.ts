/** One line of the benchmark table: a Cairn figure beside its baseline, and their ratio. */

export interface Figure {
  value: number;
  unit: string;
}

export interface Target {
  op: '<=' | '>=' | '<';
  value: number;
}

export interface Row {
  /** Benchmark group, e.g. "1. trainer overhead". */
  group: string;
  /** What was measured, e.g. "fit, MLP 784-256-10, wasm". */
  what: string;
  cairn: Figure;
  baseline: Figure & { name: string };
  ratio: number;
  /** How to read the ratio, e.g. "Cairn time / baseline time". */
  ratioMeaning: string;
  target?: Target;
  /** Repetitions (pairs) behind the medians. */
  reps: number;
  note?: string;
}

export function meets(row: Row): boolean | undefined {
  if (row.target === undefined || !Number.isFinite(row.ratio)) return undefined;
  const { op, value } = row.target;
  return op === '<=' ? row.ratio <= value : op === '<' ? row.ratio < value : row.ratio >= value;
}

/** Everything one benchmark contributes: rows for the table, and free-form findings for the notes. */
export interface BenchOutput {
  rows: Row[];
  notes: string[];
}
