import { rmSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import {
  CheckpointError,
  readCheckpointFile,
  writeCheckpointFile,
  type DecodedCheckpoint,
  type ReadOptions,
  type SafetensorsDtype,
  type TensorRecord,
  type TensorSource,
} from '../../../src/checkpoint/file/index.js';

/**
 * Bytes per element, from the dtype's name (the bit width it spells; BOOL is one byte), not from
 * Cairn's dtype table: a wrong size there shows up as a disagreement.
 */
export function elementBytes(dtype: string): number {
  if (dtype === 'BOOL') return 1;
  const bits = /^[A-Z]+(\d+)/.exec(dtype)?.[1];
  if (bits === undefined) throw new Error(`no bit width in dtype ${dtype}`);
  return Number(bits) / 8;
}

/** Deterministic bytes: a tensor's content depends on its name so mix-ups show. */
export function patternBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

export function record(name: string, dtype: SafetensorsDtype, shape: number[], seed = name.length): TensorRecord {
  const count = shape.reduce((a, b) => a * b, 1);
  return { name, dtype, shape, data: patternBytes(count * elementBytes(dtype), seed) };
}

export function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/** A small but varied state: several dtypes, a 0-d tensor, an empty tensor, odd sizes. */
export function sampleTensors(): TensorRecord[] {
  return [
    { name: 'dense/kernel', dtype: 'F32', shape: [2, 3], data: bytesOf(new Float32Array([1, 2, 3, -4, 5.5, 6e-8])) },
    { name: 'dense/bias', dtype: 'F32', shape: [3], data: bytesOf(new Float32Array([0.1, 0.2, 0.3])) },
    { name: 'step', dtype: 'I64', shape: [], data: bytesOf(new BigInt64Array([123456789012n])) },
    { name: 'mask', dtype: 'BOOL', shape: [5], data: new Uint8Array([1, 0, 1, 1, 0]) },
    { name: 'half', dtype: 'F16', shape: [3], data: patternBytes(6, 7) },
    { name: 'empty', dtype: 'F32', shape: [0, 4], data: new Uint8Array(0) },
  ];
}

export const SAMPLE_METADATA: Record<string, string> = { epoch: '3', global_step: '120', note: 'héllo "quoted" ✓ 𝄞' };

/**
 * A file from a header written by hand: 8-byte length, `json` padded with spaces to a multiple
 * of 8 (unless `pad` is false), then `data`. `length` overrides the length prefix.
 */
export function rawFile(json: string, data: Uint8Array = new Uint8Array(0), options: { length?: bigint; pad?: boolean } = {}): Uint8Array {
  const text = new TextEncoder().encode(json);
  const padded = options.pad === false ? text.length : Math.ceil(text.length / 8) * 8;
  const out = new Uint8Array(8 + padded + data.length);
  new DataView(out.buffer).setBigUint64(0, options.length ?? BigInt(padded), true);
  out.fill(0x20, 8, 8 + padded);
  out.set(text, 8);
  out.set(data, 8 + padded);
  return out;
}

/** Runs `fn` and asserts it throws a CheckpointError for `check` (and nothing else). */
export async function expectCheck(fn: () => unknown, check: string): Promise<CheckpointError> {
  let caught: unknown;
  try {
    await fn();
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected CheckpointError '${check}'`).toBeInstanceOf(CheckpointError);
  const error = caught as CheckpointError;
  expect(error.check, error.message).toBe(check);
  return error;
}

/** A fresh temp folder per call; `cleanup` removes all of them. */
export function tempFolders(): { make(): Promise<string>; cleanup(): Promise<void> } {
  const made: string[] = [];
  return {
    async make() {
      const dir = await mkdtemp(join(tmpdir(), 'cairn-ckpt-'));
      made.push(dir);
      return dir;
    },
    async cleanup() {
      await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
    },
  };
}

let scratch: Promise<string> | undefined;
let scratchFiles = 0;

/**
 * Runs `use` with a path for one file in a temp folder shared by the test file's process (made
 * once, removed when the process exits: the sweeps call this thousands of times) and deletes the
 * file afterwards.
 */
async function withScratchFile<T>(use: (path: string) => Promise<T>): Promise<T> {
  scratch ??= mkdtemp(join(tmpdir(), 'cairn-bytes-')).then((dir) => {
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    return dir;
  });
  const path = join(await scratch, `${scratchFiles++}.ckpt`);
  try {
    return await use(path);
  } finally {
    await rm(path, { force: true });
  }
}

/** The bytes writeCheckpointFile puts on disk for these tensors and metadata. */
export function writtenBytes(tensors: readonly TensorSource[], metadata: Readonly<Record<string, string>> = {}): Promise<Uint8Array> {
  return withScratchFile(async (path) => {
    await writeCheckpointFile(path, tensors, metadata);
    return new Uint8Array(await readFile(path));
  });
}

/** What readCheckpointFile makes of `file` (written to a temp file first; the result holds its own copy of the data). */
export function readBytes(file: Uint8Array, options: ReadOptions = {}): Promise<DecodedCheckpoint> {
  return withScratchFile(async (path) => {
    await writeFile(path, file);
    return readCheckpointFile(path, options);
  });
}
