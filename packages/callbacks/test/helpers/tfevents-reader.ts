import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32c } from 'polycrc';
import protobuf from 'protobufjs';

/*
 * An events-file reader for tests, independent of the writer: its own TFRecord parsing, CRCs
 * from another CRC-32C implementation (polycrc), and protobuf types parsed here from the .proto
 * text with snake_case field names (the writer uses its own parsed, camelCase copy).
 */

const PROTO_DIR = fileURLToPath(new URL('../../proto/', import.meta.url));

function mask(crc: number): number {
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

function loadTypes(): { Event: protobuf.Type; HParamsPluginData: protobuf.Type } {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => (target.startsWith('/') ? target : join(PROTO_DIR, target));
  root.loadSync(['tensorflow/core/util/event.proto', 'tensorboard/plugins/hparams/plugin_data.proto'], { keepCase: true });
  return { Event: root.lookupType('tensorflow.Event'), HParamsPluginData: root.lookupType('tensorboard.hparams.HParamsPluginData') };
}

const types = loadTypes();

/** The records of a TFRecord file; throws on any framing or CRC fault, naming the byte offset. */
export function readRecords(bytes: Uint8Array): Uint8Array[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    const lengthBytes = bytes.subarray(at, at + 8);
    if (view.getUint32(at + 8, true) !== mask(crc32c(lengthBytes))) throw new Error(`length crc mismatch at ${at}`);
    const length = Number(view.getBigUint64(at, true));
    const data = bytes.subarray(at + 12, at + 12 + length);
    if (data.length !== length) throw new Error(`record at ${at} is torn`);
    if (view.getUint32(at + 12 + length, true) !== mask(crc32c(data))) throw new Error(`data crc mismatch at ${at}`);
    out.push(data);
    at += 16 + length;
  }
  return out;
}

export interface DecodedEvent {
  wall_time: number;
  step: number;
  file_version?: string;
  /** SessionLog; status as its enum number (1 = START). */
  session_log?: { status?: number; msg?: string };
  summary?: { value: { tag: string; simple_value?: number; histo?: Record<string, unknown>; metadata?: { plugin_data?: { plugin_name: string; content: Uint8Array } } }[] };
}

export function decodeEvent(data: Uint8Array): DecodedEvent {
  return types.Event.toObject(types.Event.decode(data), { longs: Number, arrays: true, defaults: false }) as DecodedEvent;
}

export function decodeHparams(content: Uint8Array): Record<string, unknown> {
  return types.HParamsPluginData.toObject(types.HParamsPluginData.decode(content), { enums: String, longs: Number, arrays: true }) as Record<string, unknown>;
}

/** Every events file in `dir` (sorted by name, as TensorBoard reads them) decoded. */
export async function readEventDir(dir: string): Promise<{ files: string[]; events: DecodedEvent[] }> {
  const files = (await readdir(dir)).filter((name) => name.startsWith('events.out.tfevents.')).sort();
  const events: DecodedEvent[] = [];
  for (const name of files) events.push(...readRecords(new Uint8Array(await readFile(join(dir, name)))).map(decodeEvent));
  return { files, events };
}

/** (step, tag, value) of every scalar, in file order. */
export function scalarsOf(events: readonly DecodedEvent[]): [number, string, number][] {
  return events.flatMap((event) => (event.summary?.value ?? []).filter((v) => v.simple_value !== undefined).map((v) => [event.step, v.tag, v.simple_value!] as [number, string, number]));
}
