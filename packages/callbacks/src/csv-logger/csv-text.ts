/** One CSV row: cell text by column name; a missing column is an empty cell (sparse rows). */
export type Row = Record<string, string>;

function quote(cell: string): string {
  return /[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;
}

/** RFC 4180 lines (each ending in \n) for `rows` under `header`. */
export function formatRows(header: readonly string[], rows: readonly Row[]): string {
  return rows.map((row) => `${header.map((key) => quote(row[key] ?? '')).join(',')}\n`).join('');
}

export function formatHeader(header: readonly string[]): string {
  return `${header.map(quote).join(',')}\n`;
}

/** Parses RFC 4180 text into records (quoted cells may hold commas, quotes and newlines). */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let cell = '';
  let quoted = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else cell += c;
      i += 1;
      continue;
    }
    if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      record.push(cell);
      records.push(record);
      record = [];
      cell = '';
      if (c === '\r' && text[i + 1] === '\n') i += 1;
    } else cell += c;
    i += 1;
  }
  // A last line without its newline is a torn append (a crash mid-write): it is not a row.
  return records;
}

/** The rows of a CSV file's text, by its own header. */
export function parseRows(text: string): { header: string[]; rows: Row[] } {
  const [header = [], ...records] = parseCsv(text);
  const rows = records.map((record) => {
    const row: Row = {};
    header.forEach((key, i) => {
      const cell = record[i] ?? '';
      if (cell !== '') row[key] = cell;
    });
    return row;
  });
  return { header, rows };
}
