import * as tf from '@tensorflow/tfjs';
import { CheckpointError, type BorrowedTensorRecord, type LazyTensorRecord, type TensorRecord } from './file/index.js';
import type { CheckpointState } from './checkpoint-state.js';
import { decodeJson, encodeJson } from './json-codec.js';
import { canHold, toWriterRecord } from './tensor-memory.js';

/** Tensor-name prefixes: module weights and optimizer slots. */
export const WEIGHT_PREFIX = 'module.';
export const OPTIMIZER_PREFIX = 'optimizer.';

/** Metadata keys written by the state layer (the file layer adds format, format_version, checksum). */
const KEY = {
  version: 'cairn.version',
  weightsOnly: 'cairn.weights_only',
  epoch: 'cairn.epoch',
  globalStep: 'cairn.global_step',
  progress: 'cairn.progress',
  shouldStop: 'cairn.should_stop',
  optimizer: 'cairn.optimizer',
  callbacks: 'cairn.callbacks',
  loggers: 'cairn.loggers',
  lrSchedulers: 'cairn.lr_schedulers',
  random: 'cairn.random',
  trainLoader: 'cairn.train_loader',
  dataModule: 'cairn.data_module',
  metrics: 'cairn.metrics',
  hyperParameters: 'cairn.hyper_parameters',
  extra: 'cairn.extra',
} as const;

/** Splits a state into lazily read tensor records and string metadata. */
export function encodeState(state: CheckpointState): { records: (BorrowedTensorRecord | LazyTensorRecord)[]; metadata: Record<string, string> } {
  const records = [...state.weights].map(([name, tensor]) => toWriterRecord(WEIGHT_PREFIX + name, tensor));
  const metadata: Record<string, string> = {
    [KEY.version]: state.cairnVersion,
    [KEY.weightsOnly]: String(state.weightsOnly),
    [KEY.epoch]: String(state.epoch),
    [KEY.globalStep]: String(state.globalStep),
    [KEY.hyperParameters]: encodeJson(state.hyperParameters),
    [KEY.extra]: encodeJson(state.extra),
  };
  if (state.weightsOnly) return { records, metadata };
  const { optimizer } = state;
  if (optimizer !== undefined) {
    optimizer.weights.forEach((tensor, i) => records.push(toWriterRecord(OPTIMIZER_PREFIX + optimizer.slotNames[i]!, tensor)));
    const { weights: _tensors, ...described } = optimizer;
    metadata[KEY.optimizer] = encodeJson(described);
  }
  Object.assign(metadata, {
    [KEY.progress]: encodeJson(state.progress),
    [KEY.shouldStop]: String(state.shouldStop),
    [KEY.callbacks]: encodeJson(state.callbacks),
    [KEY.loggers]: encodeJson(state.loggers),
    [KEY.lrSchedulers]: encodeJson(state.lrSchedulers),
    [KEY.random]: encodeJson(state.random ?? null),
    [KEY.trainLoader]: encodeJson(state.trainLoader ?? null),
    [KEY.dataModule]: encodeJson(state.dataModule ?? null),
    [KEY.metrics]: encodeJson(state.metrics ?? null),
  });
  return { records, metadata };
}

/**
 * The metadata of a weights-only checkpoint derived from another checkpoint's metadata (averaged,
 * converted): its version, epoch, step and hyper-parameters, and `extra` as given. Nothing a
 * resume would need, and not the source's `extra` (callbacks keep records there, such as
 * ModelCheckpoint's file ownership, that would be false of the new file).
 */
export function weightsOnlyMetadata(path: string, metadata: Record<string, string>, extra: Record<string, unknown> = {}): Record<string, string> {
  const { epoch, globalStep } = describeMetadata(path, metadata);
  return {
    [KEY.version]: metadata[KEY.version] ?? 'unknown',
    [KEY.weightsOnly]: 'true',
    [KEY.epoch]: String(epoch),
    [KEY.globalStep]: String(globalStep),
    [KEY.hyperParameters]: metadata[KEY.hyperParameters] ?? '{}',
    [KEY.extra]: encodeJson(extra),
  };
}

/** The metadata keys of the state layer, for tools that show a checkpoint without loading it. */
export { KEY as STATE_METADATA_KEYS };

type Shape = 'object' | 'array' | 'number' | 'object|null';

function field(path: string, metadata: Record<string, string>, key: string, shape: Shape, required: boolean): unknown {
  const text = metadata[key];
  if (text === undefined) {
    if (required) throw new CheckpointError(path, 'state', `metadata key '${key}' is missing`);
    return undefined;
  }
  let value: unknown;
  try {
    value = decodeJson(text);
  } catch {
    throw new CheckpointError(path, 'state', `metadata key '${key}' is not valid JSON`);
  }
  const ok =
    shape === 'number' ? typeof value === 'number' :
    shape === 'array' ? Array.isArray(value) :
    shape === 'object|null' ? value === null || (typeof value === 'object' && !Array.isArray(value)) :
    typeof value === 'object' && value !== null && !Array.isArray(value);
  if (!ok) throw new CheckpointError(path, 'state', `metadata key '${key}' must hold a JSON ${shape}`);
  return value;
}

/** Reads only the scalar facts of a checkpoint from its metadata (for 'last' and listings). */
export function describeMetadata(path: string, metadata: Record<string, string>): { weightsOnly: boolean; epoch: number; globalStep: number } {
  const epoch = field(path, metadata, KEY.epoch, 'number', true) as number;
  const globalStep = field(path, metadata, KEY.globalStep, 'number', true) as number;
  return { weightsOnly: metadata[KEY.weightsOnly] === 'true', epoch, globalStep };
}

/** A tensor of a checkpoint as its header describes it. */
export type TensorDescription = Pick<TensorRecord, 'name' | 'dtype' | 'shape'>;

/**
 * Rebuilds a state from a validated file. Throws CheckpointError('state') on missing or ill-typed
 * pieces. `toTensor` gives the TF.js tensor of each tensor the state materializes (asked once per
 * tensor); the ones made before a failed check are disposed.
 */
export function decodeState<T extends TensorDescription>(
  path: string,
  tensors: ReadonlyMap<string, T>,
  metadata: Record<string, string>,
  toTensor: (record: T) => tf.Tensor,
  materialize: Materialize = { weights: true, optimizer: true },
): CheckpointState {
  const created: tf.Tensor[] = [];
  try {
    return buildState(path, tensors, metadata, materialize, (record) => {
      // A valid file may still hold a dtype TF.js has no type for (F64, I64, F16 from another
      // safetensors tool): that is the file's content, not a fault of ours, so it is a state
      // check like the others (and 'last' falls back past such a file).
      if (!canHold(record.dtype)) throw new CheckpointError(path, 'state', `tensor '${record.name}' has dtype ${record.dtype}, which TF.js cannot hold`);
      const tensor = toTensor(record);
      created.push(tensor);
      return tensor;
    });
  } catch (error) {
    // A refused state must not leave the tensors built before the failed check behind.
    tf.dispose(created);
    throw error;
  }
}

/** Which tensors of a checkpoint become TF.js tensors; the others are still read and verified. */
export interface Materialize {
  weights: boolean;
  optimizer: boolean;
}

function buildState<T extends TensorDescription>(path: string, tensors: ReadonlyMap<string, T>, metadata: Record<string, string>, materialize: Materialize, toTensor: (record: T) => tf.Tensor): CheckpointState {
  const { weightsOnly, epoch, globalStep } = describeMetadata(path, metadata);
  const weights = new Map<string, tf.Tensor>();
  const slots = new Map<string, T>();
  for (const [name, record] of tensors) {
    if (name.startsWith(WEIGHT_PREFIX)) {
      if (materialize.weights) weights.set(name.slice(WEIGHT_PREFIX.length), toTensor(record));
    }
    else if (name.startsWith(OPTIMIZER_PREFIX)) slots.set(name.slice(OPTIMIZER_PREFIX.length), record);
    else throw new CheckpointError(path, 'state', `tensor '${name}' is neither a module weight nor an optimizer slot`);
  }
  const common = {
    cairnVersion: metadata[KEY.version] ?? 'unknown',
    weightsOnly,
    epoch,
    globalStep,
    weights,
    hyperParameters: (field(path, metadata, KEY.hyperParameters, 'object', false) ?? {}) as Record<string, unknown>,
    extra: (field(path, metadata, KEY.extra, 'object', false) ?? {}) as Record<string, unknown>,
  };
  if (weightsOnly) {
    return { ...common, progress: { epoch, globalStep, batchesDone: 0 }, shouldStop: false, optimizer: undefined, callbacks: {}, loggers: {}, lrSchedulers: [], random: undefined, trainLoader: undefined, dataModule: undefined, metrics: undefined };
  }
  const described = field(path, metadata, KEY.optimizer, 'object', false) as Omit<NonNullable<CheckpointState['optimizer']>, 'weights'> | undefined;
  let optimizer: CheckpointState['optimizer'];
  if (described !== undefined) {
    if (!Array.isArray(described.slotNames) || typeof described.className !== 'string') {
      throw new CheckpointError(path, 'state', 'optimizer metadata lacks className or slotNames');
    }
    const ordered = described.slotNames.map((name) => {
      const record = slots.get(name);
      if (record === undefined) throw new CheckpointError(path, 'state', `optimizer slot '${name}' is listed but has no tensor`);
      return record;
    });
    if (materialize.optimizer) optimizer = { ...described, privateState: described.privateState ?? {}, weights: ordered.map(toTensor) };
  }
  return {
    ...common,
    progress: field(path, metadata, KEY.progress, 'object', true) as CheckpointState['progress'],
    shouldStop: metadata[KEY.shouldStop] === 'true',
    optimizer,
    callbacks: field(path, metadata, KEY.callbacks, 'object', true) as CheckpointState['callbacks'],
    loggers: (field(path, metadata, KEY.loggers, 'object', false) ?? {}) as CheckpointState['loggers'],
    lrSchedulers: (field(path, metadata, KEY.lrSchedulers, 'array', false) ?? []) as CheckpointState['lrSchedulers'],
    random: (field(path, metadata, KEY.random, 'object|null', false) ?? undefined) as CheckpointState['random'],
    trainLoader: (field(path, metadata, KEY.trainLoader, 'object|null', false) ?? undefined) as CheckpointState['trainLoader'],
    dataModule: (field(path, metadata, KEY.dataModule, 'object|null', false) ?? undefined) as CheckpointState['dataModule'],
    metrics: (field(path, metadata, KEY.metrics, 'object|null', false) ?? undefined) as CheckpointState['metrics'],
  };
}
