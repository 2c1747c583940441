import * as tf from '@tensorflow/tfjs';
import { readsAsyncOnly } from '../backend/webgpu/async-reads.js';

/** The parts of TF.js's engine (tfjs-core 4.22 `Engine`) that sharing a buffer needs; not in its typings. */
interface EngineInternals {
  state?: { tensorInfo?: { get(dataId: tf.DataId): { backend?: tf.KernelBackend } | undefined } };
  makeTensorFromTensorInfo?(info: tf.TensorInfo, backend?: tf.KernelBackend): tf.Tensor;
}

/** tfjs-backend-wasm 4.22's view of a tensor's bytes inside its heap, and its allocation without a copy (public methods, absent from KernelBackend). */
interface WasmHeapBackend {
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

/** The backend that holds `tensor`'s buffer, which need not be the active one. */
function ownerBackend(tensor: tf.Tensor): tf.KernelBackend | undefined {
  const engine = tf.engine() as unknown as EngineInternals;
  return engine.state?.tensorInfo?.get(tensor.dataId)?.backend;
}

/**
 * A new tensor handle on the same backend buffer as `tensor`, for a snapshot that costs no copy.
 * `tensor.clone()` does this on cpu, but on wasm its Identity kernel copies the whole tensor into
 * a new heap block. Sharing is a snapshot because TF.js never writes a buffer in place:
 * `Variable.assign` (used by every optimizer for weights and slots) points the variable at a new
 * buffer and releases the old one by reference count, so the handle returned here keeps the old
 * values until it is disposed. The reference is taken on the tensor's own backend. Falls back to
 * `clone()` when the engine does not look as expected.
 */
export function shareTensor(tensor: tf.Tensor): tf.Tensor {
  const engine = tf.engine() as unknown as EngineInternals;
  if (tensor.isDisposed || typeof engine.makeTensorFromTensorInfo !== 'function') return tensor.clone();
  const backend = ownerBackend(tensor);
  if (backend === undefined || typeof backend.incRef !== 'function') return tensor.clone();
  backend.incRef(tensor.dataId);
  return engine.makeTensorFromTensorInfo({ dataId: tensor.dataId, shape: [...tensor.shape], dtype: tensor.dtype }, backend);
}

function isWasmHeapBackend(backend: unknown): backend is WasmHeapBackend {
  return typeof (backend as Partial<WasmHeapBackend> | undefined)?.typedArrayFromHeap === 'function';
}

export interface LentBytes {
  bytes: Uint8Array;
  /**
   * False when the view points into memory that a later TF.js operation may move (the wasm heap
   * grows by replacing its buffer): ask again after any pause. True when the bytes stay put as long
   * as the tensor lives (cpu's own array, or a copy).
   */
  stable: boolean;
}

/**
 * The raw bytes of a float32, int32 or bool tensor, without a copy where the backend allows it:
 * a view into the wasm heap, or the cpu backend's own array (`dataSync` returns it as is there).
 * Other backends (tfjs-node, webgl) return a copy. The caller must not write to the bytes.
 */
export function lendBytes(tensor: tf.Tensor): LentBytes {
  if (tensor.size === 0) return { bytes: new Uint8Array(0), stable: true };
  const backend = ownerBackend(tensor);
  const values = isWasmHeapBackend(backend)
    ? backend.typedArrayFromHeap({ dataId: tensor.dataId, shape: tensor.shape, dtype: tensor.dtype })
    : tensor.dataSync();
  return { bytes: new Uint8Array(values.buffer, values.byteOffset, values.byteLength), stable: !isWasmHeapBackend(backend) };
}

/** False when the tensor's backend has no synchronous read (webgpu in Node): its bytes need `await tensor.data()`. */
export function canLendBytes(tensor: tf.Tensor): boolean {
  return !readsAsyncOnly(ownerBackend(tensor));
}

/**
 * A new, uninitialised tensor in the wasm heap (the active backend), with a function that returns
 * its bytes: a view to be asked for again after any pause, since the heap may move. Undefined
 * when the active backend is not wasm or the engine does not look as expected.
 */
export function allocateOnHeap(shape: readonly number[], dtype: 'float32' | 'int32' | 'bool'): { tensor: tf.Tensor; bytes(): Uint8Array } | undefined {
  const backend = tf.backend();
  const engine = tf.engine() as unknown as EngineInternals;
  if (!isWasmHeapBackend(backend) || typeof backend.makeOutput !== 'function' || typeof engine.makeTensorFromTensorInfo !== 'function') return undefined;
  const info = backend.makeOutput([...shape], dtype);
  const tensor = engine.makeTensorFromTensorInfo(info, backend);
  return {
    tensor,
    bytes(): Uint8Array {
      const values = backend.typedArrayFromHeap(info);
      return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    },
  };
}
