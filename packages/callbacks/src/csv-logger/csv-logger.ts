import { existsSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeDurableDir, rejectUnknownOptions, writeTextFileAtomically, type Logger, type OptionKeys } from '@cairn/core';
import { stringify } from 'yaml';
import { defaultPrint, type Print } from '../print.js';
import { formatHeader, formatRows, parseRows, type Row } from './csv-text.js';
import { FolderLogger } from '../log-dir/folder-logger.js';
import type { LogDirOptions } from '../log-dir/versioned-log-dir.js';

export interface CSVLoggerOptions extends LogDirOptions {
  /** Write buffered rows every N steps (rows are also written at epoch ends and at the end). Default 100. */
  flushLogsEveryNSteps?: number;
  print?: Print;
}

/** What a checkpoint keeps so a resumed run continues the same file without duplicated or missing rows. */
interface CSVLoggerState {
  version: number | string;
  /** Rows in the file when the checkpoint was taken: later rows were logged after it and are dropped. */
  rows: number;
  /** Rows logged but not yet written then (they may never have reached the file). */
  pending: Row[];
  keys: string[];
}

export const METRICS_FILE = 'metrics.csv';
export const HPARAMS_FILE = 'hparams.yaml';

const KNOWN: OptionKeys<CSVLoggerOptions> = { saveDir: true, name: true, version: true, prefix: true, flushLogsEveryNSteps: true, print: true };

const formatValue = (value: number): string => String(value);

/**
 * Lightning's CSVLogger: `saveDir/name/version_N/metrics.csv` (one row per logging call, sparse,
 * header = sorted union of keys, the file rewritten when a key appears) and `hparams.yaml`.
 * Appends are append-only; every rewrite is atomic (temp file + rename).
 */
export class CSVLogger extends FolderLogger implements Logger {
  readonly flushLogsEveryNSteps: number;
  /** Header of the file as written. */
  private keys: string[] = [];
  private pending: Row[] = [];
  /** Rows of this run already in the file. */
  private written = 0;
  /** The file belongs to this run (else the first write replaces whatever is there). */
  private started = false;
  private hparams: Record<string, unknown> = {};
  private queue: Promise<void> = Promise.resolve();
  private readonly print: Print;

  constructor(options: CSVLoggerOptions) {
    const fail = (message: string): never => {
      throw new Error(`CSVLogger: ${message}`);
    };
    rejectUnknownOptions('CSVLogger', options, KNOWN);
    super('CSVLogger', options, fail);
    const flushEvery = options.flushLogsEveryNSteps ?? 100;
    if (!Number.isSafeInteger(flushEvery) || flushEvery < 1) fail(`flushLogsEveryNSteps must be a positive integer, got ${flushEvery}`);
    if (options.print !== undefined && typeof options.print !== 'function') fail('print must be a function');
    this.flushLogsEveryNSteps = flushEvery;
    this.print = options.print ?? defaultPrint;
  }

  get metricsFilePath(): string {
    return join(this.logDir, METRICS_FILE);
  }

  async logMetrics(metrics: Record<string, number>, step: number): Promise<void> {
    const row: Row = {};
    for (const [key, value] of Object.entries(metrics)) row[this.dir.prefixed(key)] = formatValue(value);
    row.step = String(step);
    this.pending.push(row);
    if ((step + 1) % this.flushLogsEveryNSteps === 0) await this.save();
  }

  async logHyperparams(params: Record<string, unknown>): Promise<void> {
    this.hparams = { ...this.hparams, ...params };
    await writeTextFileAtomically(join(this.logDir, HPARAMS_FILE), stringify(this.hparams));
  }

  /** Writes buffered rows. Calls are serialised, so concurrent callers never interleave writes. */
  save(): Promise<void> {
    // A failed write fails its caller only; the next save tries again with the same rows.
    this.queue = this.queue.catch(() => undefined).then(() => this.flush());
    return this.queue;
  }

  async finalize(_status: 'success' | 'failed'): Promise<void> {
    await this.save();
  }

  stateDict(): Record<string, unknown> {
    const state: CSVLoggerState = { version: this.version, rows: this.written, pending: this.pending.map((row) => ({ ...row })), keys: [...this.keys] };
    return { ...state };
  }

  /**
   * Continues the checkpoint's version folder and file: keeps the rows written before the
   * checkpoint, drops the ones logged after it (they will be logged again) and re-queues the
   * rows that were still buffered.
   */
  async loadStateDict(raw: Record<string, unknown>): Promise<void> {
    const state = raw as unknown as CSVLoggerState;
    const notice = this.dir.resumeIn(state.version);
    if (notice !== undefined) this.print(`CSVLogger: ${notice}; rows before the resume point are only kept if that file has them`);
    const path = this.metricsFilePath;
    const existing = existsSync(path) ? parseRows(await readFile(path, 'utf8')) : { header: [], rows: [] };
    const kept = existing.rows.slice(0, state.rows);
    if (kept.length < state.rows) {
      this.print(`CSVLogger: ${path} holds ${kept.length} of the ${state.rows} rows written before the checkpoint; the missing rows cannot be recovered`);
    }
    this.keys = sortedUnion(state.keys, kept);
    this.pending = [...state.pending, ...this.pending];
    await writeTextFileAtomically(path, formatHeader(this.keys) + formatRows(this.keys, kept));
    this.written = kept.length;
    this.started = true;
  }

  private async flush(): Promise<void> {
    // Rows leave `pending` only once written, so a checkpoint taken meanwhile still holds them.
    const rows = this.pending.slice();
    if (rows.length === 0) return;
    const keys = sortedUnion(this.keys, rows);
    const path = this.metricsFilePath;
    await makeDurableDir(this.logDir);
    if (this.started && keys.length === this.keys.length) {
      await appendDurably(path, formatRows(keys, rows));
    } else {
      // A new key changes the header: rewrite the whole file (Lightning's rule), atomically.
      if (!this.started && existsSync(path)) this.print(`CSVLogger: ${path} exists and is replaced by this run's metrics`);
      const previous = this.started ? parseRows(await readFile(path, 'utf8')).rows.slice(0, this.written) : [];
      await writeTextFileAtomically(path, formatHeader(keys) + formatRows(keys, [...previous, ...rows]));
      this.keys = keys;
      this.started = true;
    }
    this.pending.splice(0, rows.length);
    this.written += rows.length;
  }
}

function sortedUnion(keys: readonly string[], rows: readonly Row[]): string[] {
  const all = new Set(keys);
  for (const row of rows) for (const key of Object.keys(row)) all.add(key);
  return [...all].sort();
}

/**
 * Appends and fsyncs: a checkpoint records how many rows the file holds, so rows it counts must
 * survive a power cut as surely as the checkpoint does.
 */
async function appendDurably(path: string, text: string): Promise<void> {
  const file = await open(path, 'a');
  try {
    await file.writeFile(text, 'utf8');
    await file.sync();
  } finally {
    await file.close();
  }
}
