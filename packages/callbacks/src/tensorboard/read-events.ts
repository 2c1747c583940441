import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { scanRecords } from './record-framing.js';
import { eventSchema } from './schema.js';

/** One scalar as an events file holds it (float32, TensorBoard's simple_value). */
export interface ScalarPoint {
  tag: string;
  step: number;
  value: number;
  wallTime: number;
}

/** What the events files of one log folder say about the run, for tools such as `cairn report`. */
export interface TensorBoardRun {
  /** The events files read, by name, in name order (their names start with the creation time). */
  files: string[];
  scalars: ScalarPoint[];
  /** Steps where a resumed run's events begin (SessionLog START records, in file order). */
  resumes: number[];
  /** A torn or corrupt tail that reading stopped at, per file (a crash mid-append). */
  problems: string[];
}

export const EVENTS_FILE_PREFIX = 'events.out.tfevents.';

interface DecodedEvent {
  step?: number | { toNumber(): number };
  wallTime?: number;
  summary?: { value?: { tag?: string; simpleValue?: number }[] };
  sessionLog?: { status?: string };
}

const asNumber = (value: DecodedEvent['step']): number => (value === undefined ? 0 : typeof value === 'number' ? value : value.toNumber());

/**
 * Reads every `events.out.tfevents.*` file directly in `logDir` with the writer's framing and
 * schema: scalars and restart markers. A folder without events files gives empty lists.
 */
export async function readTensorBoardRun(logDir: string): Promise<TensorBoardRun> {
  const files = (await readdir(logDir)).filter((name) => name.startsWith(EVENTS_FILE_PREFIX)).sort();
  const { Event } = eventSchema();
  const run: TensorBoardRun = { files, scalars: [], resumes: [], problems: [] };
  for (const name of files) {
    const scan = scanRecords(new Uint8Array(await readFile(join(logDir, name))));
    if (scan.problem !== undefined) run.problems.push(`${name}: ${scan.problem}`);
    for (const record of scan.records) {
      const event = Event.toObject(Event.decode(record), { enums: String }) as DecodedEvent;
      const step = asNumber(event.step);
      if (event.sessionLog?.status === 'START') run.resumes.push(step);
      for (const value of event.summary?.value ?? []) {
        if (value.tag !== undefined && typeof value.simpleValue === 'number') run.scalars.push({ tag: value.tag, step, value: value.simpleValue, wallTime: event.wallTime ?? 0 });
      }
    }
  }
  return run;
}
