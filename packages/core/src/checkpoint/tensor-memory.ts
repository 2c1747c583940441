import { endianness } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import type { WasmHeapBackend } from '../backend/wasm-heap.js';
import { readsAsyncOnly } from '../backend/webgpu/async-reads.js';
import { readValues, type BorrowedTensorRecord, type LazyTensorRecord, type SafetensorsDtype, type TensorRecord } from './file/index.js';

/**
 * A tensor's memory as the checkpoint sees it: shared between snapshot and training (no copy),
 * lent to the file writer straight from the backend's buffer, allocated in the wasm heap for a
 * load, and converted to and from the file layer's tensor records.
 */

/** The parts of TF.js's engine (tfjs-core 4.22 `Engine`) that sharing a buffer needs; not in its typings. */
interface EngineInternals {
  state?: { tensorInfo?: { get(dataId: tf.DataId): { backend?: tf.KernelBackend } | undefined } };
  makeTensorFromTensorInfo?(info: tf.TensorInfo, backend?: tf.KernelBackend): tf.Tensor;
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

/** True for tfjs-backend-wasm's backend: the one with a view of tensors in its heap (and allocation without a copy). */
function isWasmHeapBackend(backend: unknown): backend is WasmHeapBackend {
  const candidate = backend as Partial<WasmHeapBackend> | undefined;
  return typeof candidate?.typedArrayFromHeap === 'function' && typeof candidate.makeOutput === 'function';
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
  if (!isWasmHeapBackend(backend) || typeof engine.makeTensorFromTensorInfo !== 'function') return undefined;
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

const TO_FILE: Partial<Record<tf.DataType, SafetensorsDtype>> = { float32: 'F32', int32: 'I32', bool: 'BOOL' };
// Half-precision files (`cairn ckpt convert --dtype float16|bfloat16`) widen to float32, exactly.
const FROM_FILE: Partial<Record<SafetensorsDtype, tf.DataType>> = { F32: 'float32', F16: 'float32', BF16: 'float32', I32: 'int32', BOOL: 'bool' };

if (endianness() !== 'LE') throw new Error('Cairn checkpoints store little-endian data; this machine is big-endian');

/**
 * A tensor as a file record. On cpu and wasm, a borrowed one: the writer copies its bytes straight out of the backend's
 * memory when it reaches it (no per-tensor allocation), and the tensor (a handle owned by the
 * snapshot) is disposed as soon as the writer is done with it.
 */
export function toWriterRecord(name: string, tensor: tf.Tensor): BorrowedTensorRecord | LazyTensorRecord {
  const dtype = TO_FILE[tensor.dtype];
  if (dtype === undefined) throw new Error(`cannot checkpoint tensor '${name}' of dtype ${tensor.dtype}`);
  const itemSize = dtype === 'BOOL' ? 1 : 4;
  if (!canLendBytes(tensor)) return toDownloadedRecord(name, dtype, tensor, itemSize);
  let stable: Uint8Array | undefined;
  return {
    name,
    dtype,
    shape: [...tensor.shape],
    byteLength: tensor.size * itemSize,
    view(): Uint8Array {
      if (stable !== undefined) return stable;
      const lent = lendBytes(tensor);
      // A copy (tfjs-node, webgl) is made once, not once per pause.
      if (lent.stable) stable = lent.bytes;
      return lent.bytes;
    },
    release(): void {
      stable = undefined;
      tensor.dispose();
    },
  };
}

/**
 * A tensor on a GPU backend (webgpu) as a lazy file record: the writer downloads its bytes with
 * `await tensor.data()` when it reaches it (one tensor in host memory at a time), then the handle is
 * disposed. A GPU buffer is never lent: it cannot be viewed from JavaScript.
 */
function toDownloadedRecord(name: string, dtype: SafetensorsDtype, tensor: tf.Tensor, itemSize: number): LazyTensorRecord {
  return {
    name,
    dtype,
    shape: [...tensor.shape],
    byteLength: tensor.size * itemSize,
    async read(): Promise<Uint8Array> {
      try {
        const values = await tensor.data();
        // bool comes back as Uint8Array, float32/int32 as their own arrays: the bytes as they are.
        return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
      } finally {
        tensor.dispose();
      }
    },
    discard(): void {
      tensor.dispose();
    },
  };
}

/**
 * Backends whose `write` copies the values into memory of their own (wasm: its heap), so a
 * tensor made from a view never keeps the file buffer alive. cpu adopts the array it is given.
 */
const COPYING_BACKENDS: ReadonlySet<string> = new Set(['wasm']);

/** True when TF.js has a dtype for file dtype `dtype` (fromRecord refuses the others). */
export function canHold(dtype: SafetensorsDtype): boolean {
  return FROM_FILE[dtype] !== undefined;
}

/** A file record as a tensor (copies the bytes into TF.js). */
export function fromRecord(record: TensorRecord): tf.Tensor {
  const dtype = FROM_FILE[record.dtype];
  if (dtype === undefined) throw new Error(`tensor '${record.name}' has dtype ${record.dtype}, which TF.js cannot hold`);
  const { data } = record;
  if (record.dtype === 'F16' || record.dtype === 'BF16') return tf.tensor(Float32Array.from(readValues(record.dtype, data)), record.shape, 'float32');
  const itemSize = dtype === 'bool' ? 1 : 4;
  // A view is enough when it is aligned for its type (the writer aligns offsets and the read
  // buffer is page-aligned) and the backend copies it anyway. Otherwise copy: views into the file
  // buffer may start at any byte, and a backend that adopts the array would pin the whole file.
  const bytes = data.byteOffset % itemSize === 0 && COPYING_BACKENDS.has(tf.getBackend()) ? data : data.slice();
  const length = bytes.byteLength / itemSize;
  const values = dtype === 'float32' ? new Float32Array(bytes.buffer, bytes.byteOffset, length) : dtype === 'int32' ? new Int32Array(bytes.buffer, bytes.byteOffset, length) : bytes;
  return tf.tensor(values, record.shape, dtype);
}
