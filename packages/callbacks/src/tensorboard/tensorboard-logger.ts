import { hostname } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { describeValue, rejectUnknownOptions, writeTextFileAtomically, type Logger, type OptionKeys } from '@cairn/core';
import { FolderLogger } from '../log-dir/folder-logger.js';
import type { LogDirOptions } from '../log-dir/versioned-log-dir.js';
import { defaultPrint, type Print } from '../print.js';
import { EventFile } from './event-file.js';
import { experimentEvent, fileVersionEvent, histogramEvent, resumeEvent, scalarsEvent, sessionEndEvent, sessionStartEvent, type HParamValue } from './events.js';
import { histogramOf } from './histogram.js';
import { flattenHparams } from './hparams.js';

export interface TensorBoardLoggerOptions extends LogDirOptions {
  /** Events kept in memory before they are appended to the file (TensorFlow's max_queue). Everything is also written and fsynced at every epoch end and at the end. Default 10. */
  maxQueue?: number;
  /** Buckets of each weight histogram. Default 30. */
  histogramBuckets?: number;
  print?: Print;
}

const KNOWN: OptionKeys<TensorBoardLoggerOptions> = { saveDir: true, name: true, version: true, prefix: true, maxQueue: true, histogramBuckets: true, print: true };

/** What a checkpoint keeps so a resumed run continues the same file without duplicated or missing events. */
interface TensorBoardLoggerState {
  version: number | string;
  /** Events file of the run (a name inside the version folder). */
  file: string;
  /** Bytes in that file when the checkpoint was taken: later events were logged after it and are cut. */
  bytes: number;
  /** Encoded events logged but not yet in the file then (base64). */
  pending: string[];
  /** Hyper-parameters already in the file (the session start is written once per run). */
  hparams: Record<string, HParamValue> | null;
  /** Every scalar tag logged so far: the metrics of the hparams experiment. */
  tags: string[];
  startTimeSecs: number;
  /** The highest step of any event logged before the checkpoint (-1 if none). */
  lastStep: number;
}

export const HPARAMS_FILE = 'hparams.yaml';

let fileCounter = 0;

/**
 * Lightning's TensorBoardLogger: TensorBoard event files in `saveDir/name/version_N/`, written
 * in TypeScript (TFRecord framing, masked CRC-32C, protobuf from TensorFlow's .proto files).
 * Scalars for every logged metric at its step, histograms (`logHistogram`, or the
 * HistogramMonitor callback every N epochs), hyper-parameters in the hparams plugin's format
 * with the run's metrics, and `hparams.yaml`. A resume continues the checkpoint's file.
 */
export class TensorBoardLogger extends FolderLogger implements Logger {
  readonly maxQueue: number;
  readonly histogramBuckets: number;
  private readonly print: Print;
  private file: EventFile | undefined;
  /** Encoded events not yet in the file. They leave only once written, so a checkpoint taken meanwhile holds them. */
  private pending: Uint8Array[] = [];
  private hparams: Record<string, HParamValue> | null = null;
  private readonly tags = new Set<string>();
  private hparamsYaml: Record<string, unknown> = {};
  private startTimeSecs = Date.now() / 1000;
  /** The highest step logged so far: a resume marks the step after the checkpoint's. */
  private lastStep = -1;
  private queue: Promise<void> = Promise.resolve();
  /** The next write creates the file over whatever a crashed run left under its name. */
  private restartsFile = false;

  constructor(options: TensorBoardLoggerOptions) {
    const fail = (message: string): never => {
      throw new Error(`TensorBoardLogger: ${message}`);
    };
    rejectUnknownOptions('TensorBoardLogger', options, KNOWN);
    super('TensorBoardLogger', options, fail);
    const maxQueue = options.maxQueue ?? 10;
    if (!Number.isSafeInteger(maxQueue) || maxQueue < 1) fail(`maxQueue must be a positive integer, got ${describeValue(maxQueue)}`);
    const buckets = options.histogramBuckets ?? 30;
    if (!Number.isSafeInteger(buckets) || buckets < 1) fail(`histogramBuckets must be a positive integer, got ${describeValue(buckets)}`);
    if (options.print !== undefined && typeof options.print !== 'function') fail('print must be a function');
    this.maxQueue = maxQueue;
    this.histogramBuckets = buckets;
    this.print = options.print ?? defaultPrint;
  }

  /** The events file of this run, once the first event is written. */
  get eventFilePath(): string | undefined {
    return this.file?.path;
  }

  async logMetrics(metrics: Record<string, number>, step: number): Promise<void> {
    const values = Object.entries(metrics).map(([key, value]) => [this.dir.prefixed(key), value] as const);
    if (values.length === 0) return;
    for (const [tag] of values) this.tags.add(tag);
    this.lastStep = Math.max(this.lastStep, step);
    await this.enqueue(scalarsEvent(values, step));
  }

  /** One histogram of `values` (e.g. a weight's elements) under `tag` at `step`. */
  async logHistogram(tag: string, values: ArrayLike<number>, step: number): Promise<void> {
    this.lastStep = Math.max(this.lastStep, step);
    await this.enqueue(histogramEvent(this.dir.prefixed(tag), histogramOf(values, this.histogramBuckets), step));
  }

  /**
   * Writes `hparams.yaml` and, once per run, the hparams plugin's session start. Nested objects
   * are flattened to `a/b` names; values that are not numbers, strings or booleans are shown as JSON.
   */
  async logHyperparams(params: Record<string, unknown>): Promise<void> {
    const flat = flattenHparams(params);
    this.hparamsYaml = { ...this.hparamsYaml, ...params };
    await writeTextFileAtomically(join(this.logDir, HPARAMS_FILE), stringify(this.hparamsYaml));
    if (this.hparams !== null) {
      // Resumed (or called again): the session start is already in the file.
      this.hparams = { ...this.hparams, ...flat };
      return;
    }
    this.hparams = flat;
    await this.enqueue(sessionStartEvent(flat, this.startTimeSecs));
  }

  /** Appends everything buffered and fsyncs the file. Calls are serialised. */
  save(): Promise<void> {
    return this.serialised(async () => {
      await this.writePending();
      await this.file?.sync();
    });
  }

  /** Writes the hparams experiment (with every metric the run logged) and the session's end, then closes the file. */
  async finalize(status: 'success' | 'failed'): Promise<void> {
    const now = Date.now() / 1000;
    if (this.hparams !== null) {
      this.pending.push(experimentEvent(this.hparams, [...this.tags].sort(), this.startTimeSecs));
      this.pending.push(sessionEndEvent(status === 'success' ? 'STATUS_SUCCESS' : 'STATUS_FAILURE', now));
    }
    await this.save();
    await this.serialised(async () => {
      await this.file?.close();
      this.file = undefined;
      // A later fit with this logger starts a new file (as Lightning's does) and a new session.
      this.hparams = null;
    });
  }

  stateDict(): Record<string, unknown> {
    const state: TensorBoardLoggerState = {
      version: this.version,
      file: this.file === undefined ? '' : this.file.path.slice(this.logDir.length + 1),
      bytes: this.file?.size ?? 0,
      pending: this.pending.map((event) => Buffer.from(event).toString('base64')),
      hparams: this.hparams === null ? null : { ...this.hparams },
      tags: [...this.tags],
      startTimeSecs: this.startTimeSecs,
      lastStep: this.lastStep,
    };
    return { ...state };
  }

  /**
   * Continues the checkpoint's version folder and events file: keeps the events written before
   * the checkpoint, cuts the ones logged after it (the resumed run logs them again), re-queues
   * those that were still buffered, and marks the restart with TensorBoard's own marker: a
   * SessionLog START at the step after the last one logged before the checkpoint (TensorBoard
   * drops older events at or after a START's step, none here; `cairn report` draws it).
   */
  async loadStateDict(raw: Record<string, unknown>): Promise<void> {
    const state = raw as unknown as TensorBoardLoggerState;
    const notice = this.dir.resumeIn(state.version);
    if (notice !== undefined) this.print(`TensorBoardLogger: ${notice}`);
    await this.serialised(async () => {
      await this.file?.close();
      this.file = undefined;
      if (state.file !== '') {
        this.file = new EventFile(join(this.logDir, state.file));
        // Nothing was in the file at the checkpoint: whatever a later write put there is replaced.
        if (state.bytes === 0) this.restartsFile = true;
        else {
          const problem = await this.file.continueAt(state.bytes);
          if (problem !== undefined) this.print(`TensorBoardLogger: ${problem}`);
          this.restartsFile = !this.file.isOpen;
        }
      }
      this.lastStep = Math.max(this.lastStep, typeof state.lastStep === 'number' ? state.lastStep : -1);
      this.pending = [...state.pending.map((text) => new Uint8Array(Buffer.from(text, 'base64'))), resumeEvent(this.lastStep + 1), ...this.pending];
      this.hparams = state.hparams === null ? null : { ...state.hparams };
      for (const tag of state.tags) this.tags.add(tag);
      this.startTimeSecs = state.startTimeSecs;
    });
  }

  private async enqueue(event: Uint8Array): Promise<void> {
    // The file is named at the first event, so a checkpoint taken before anything is written
    // still tells a resume which file to continue (instead of leaving a second one behind).
    this.file ??= new EventFile(join(this.logDir, `events.out.tfevents.${Math.floor(Date.now() / 1000)}.${hostname()}.${process.pid}.${fileCounter++}`));
    this.pending.push(event);
    if (this.pending.length >= this.maxQueue) await this.serialised(() => this.writePending());
  }

  private serialised(task: () => Promise<void>): Promise<void> {
    // A failed write fails its caller only; the next one tries again with the same events.
    const run = this.queue.catch(() => undefined).then(task);
    this.queue = run;
    return run;
  }

  private async writePending(): Promise<void> {
    const events = this.pending.slice();
    if (events.length === 0) return;
    const file = this.file!;
    if (!file.isOpen) await file.create([fileVersionEvent()], this.restartsFile);
    this.restartsFile = false;
    await file.append(events);
    this.pending.splice(0, events.length);
  }
}
