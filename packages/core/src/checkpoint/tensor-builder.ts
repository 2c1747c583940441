import * as tf from '@tensorflow/tfjs';
import { readValues, type HeaderEntry, type TensorSink } from './file/index.js';
import { allocateOnHeap } from './tensor-memory.js';

/** A TF.js tensor being filled from a file as it is read. */
export interface TensorBuild {
  sink: TensorSink;
  /** The tensor, once every byte went through `sink`. Call once. */
  finish(): tf.Tensor;
  /** Frees what was built (the file failed verification). */
  discard(): void;
}

const TF_DTYPE = { F32: 'float32', I32: 'int32', BOOL: 'bool' } as const;

/**
 * Starts a tensor for `entry` (a dtype TF.js can hold) on the active backend, to be filled chunk by
 * chunk: the bytes go straight into the tensor's own memory and never through a buffer of the
 * file's size.
 *  - wasm: the tensor is allocated in the heap first (uninitialised) and each chunk copied into
 *    it; the view is taken again for each chunk, since the heap may move in between.
 *  - cpu and the others: an array of the tensor's size, which cpu then adopts as is and a GPU
 *    backend uploads.
 *  - F16/BF16 are collected and widened to float32 at the end.
 */
export function buildTensor(entry: HeaderEntry): TensorBuild {
  const { name, dtype, shape } = entry;
  const byteLength = entry.end - entry.begin;
  if (dtype === 'F16' || dtype === 'BF16') {
    const bytes = new Uint8Array(byteLength);
    return {
      sink: { accept: (chunk, offset) => bytes.set(chunk, offset) },
      finish: () => tf.tensor(Float32Array.from(readValues(dtype, bytes)), shape, 'float32'),
      discard: () => undefined,
    };
  }
  const tfDtype = TF_DTYPE[dtype as keyof typeof TF_DTYPE];
  if (tfDtype === undefined) {
    throw new Error(`tensor '${name}' has dtype ${dtype}, which TF.js cannot hold`);
  }
  const onHeap = allocateOnHeap(shape, tfDtype);
  if (onHeap !== undefined) {
    return {
      sink: { accept: (chunk, offset) => onHeap.bytes().set(chunk, offset) },
      finish: () => onHeap.tensor,
      discard: () => onHeap.tensor.dispose(),
    };
  }
  const bytes = new Uint8Array(byteLength);
  const length = byteLength / (tfDtype === 'bool' ? 1 : 4);
  return {
    sink: { accept: (chunk, offset) => bytes.set(chunk, offset) },
    finish: () => tf.tensor(tfDtype === 'float32' ? new Float32Array(bytes.buffer, 0, length) : tfDtype === 'int32' ? new Int32Array(bytes.buffer, 0, length) : bytes, shape, tfDtype),
    discard: () => undefined,
  };
}
