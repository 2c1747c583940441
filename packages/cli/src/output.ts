/** Where a command writes: stdout for results, stderr for notices; `json` switches results to one JSON document. */
export interface Output {
  readonly json: boolean;
  result(text: string): void;
  notice(text: string): void;
}

export function consoleOutput(json: boolean): Output {
  return {
    json,
    result: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    notice: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  };
}

/** JSON for scripts: non-finite numbers (a NaN score) as strings, since JSON has none. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2);
}

/** A plain-text table with left-aligned columns. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
