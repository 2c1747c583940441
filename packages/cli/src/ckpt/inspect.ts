import { decodeJson, STATE_METADATA_KEYS, type DecodedCheckpoint } from '@cairn/core';
import { EXIT } from '../cli-error.js';
import { formatBytes, formatTable, toJson, type Output } from '../output.js';
import { readVerified } from './read-verified.js';

export interface CheckpointDescription {
  file: string;
  /** Every `__metadata__` entry, JSON values decoded. */
  metadata: Record<string, unknown>;
  tensors: { name: string; dtype: string; shape: number[]; bytes: number }[];
  optimizer: unknown;
  callbacks: unknown;
  loggers: unknown;
  hyperParameters: unknown;
}

function decoded(text: string): unknown {
  try {
    return decodeJson(text);
  } catch {
    return text;
  }
}

export function describeCheckpoint(path: string, file: DecodedCheckpoint): CheckpointDescription {
  const metadata = Object.fromEntries(Object.entries(file.metadata).map(([key, value]) => [key, decoded(value)]));
  const get = (key: string): unknown => metadata[key] ?? null;
  return {
    file: path,
    metadata,
    tensors: [...file.tensors.values()].map(({ name, dtype, shape, data }) => ({ name, dtype, shape, bytes: data.byteLength })),
    optimizer: get(STATE_METADATA_KEYS.optimizer),
    callbacks: get(STATE_METADATA_KEYS.callbacks),
    loggers: get(STATE_METADATA_KEYS.loggers),
    hyperParameters: get(STATE_METADATA_KEYS.hyperParameters),
  };
}

/** `cairn ckpt inspect FILE`: metadata, tensors (name, dtype, shape), optimizer, callbacks. */
export async function inspectCheckpoint(path: string, out: Output): Promise<number> {
  const description = describeCheckpoint(path, await readVerified(path));
  if (out.json) {
    out.result(toJson(description));
    return EXIT.ok;
  }
  const { metadata, tensors } = description;
  const shown = new Set<string>([STATE_METADATA_KEYS.optimizer, STATE_METADATA_KEYS.callbacks, STATE_METADATA_KEYS.loggers, STATE_METADATA_KEYS.hyperParameters]);
  const plain = Object.entries(metadata).filter(([key]) => !shown.has(key));
  const section = (title: string, value: unknown): string => `\n${title}\n${value === null ? '  (none)' : JSON.stringify(value, null, 2).replace(/^/gm, '  ')}`;
  out.result([
    `checkpoint ${path} (verified)`,
    '\nmetadata',
    formatTable(['key', 'value'], plain.map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)])).replace(/^/gm, '  '),
    `\ntensors (${tensors.length}, ${formatBytes(tensors.reduce((sum, t) => sum + t.bytes, 0))})`,
    formatTable(['name', 'dtype', 'shape'], tensors.map((t) => [t.name, t.dtype, `[${t.shape.join(', ')}]`])).replace(/^/gm, '  '),
    section('hyper-parameters', description.hyperParameters),
    section('optimizer', description.optimizer),
    section('callbacks', description.callbacks),
    section('loggers', description.loggers),
  ].join('\n'));
  return EXIT.ok;
}
