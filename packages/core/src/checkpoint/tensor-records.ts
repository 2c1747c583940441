import { endianness } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { readValues, type BorrowedTensorRecord, type LazyTensorRecord, type SafetensorsDtype, type TensorRecord } from './file/index.js';
import { canLendBytes, lendBytes } from './tensor-memory.js';

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
