import { endianness } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import type { LazyTensorRecord, SafetensorsDtype, TensorRecord } from './file/index.js';

const TO_FILE: Partial<Record<tf.DataType, SafetensorsDtype>> = { float32: 'F32', int32: 'I32', bool: 'BOOL' };
const FROM_FILE: Partial<Record<SafetensorsDtype, tf.DataType>> = { F32: 'float32', I32: 'int32', BOOL: 'bool' };

if (endianness() !== 'LE') throw new Error('Cairn checkpoints store little-endian data; this machine is big-endian');

/**
 * A tensor as a lazy file record: its bytes are read only when the writer reaches it, and the
 * tensor (a clone owned by the snapshot) is disposed right after, so a save never holds more
 * than one tensor's bytes outside TF.js.
 */
export function toLazyRecord(name: string, tensor: tf.Tensor): LazyTensorRecord {
  const dtype = TO_FILE[tensor.dtype];
  if (dtype === undefined) throw new Error(`cannot checkpoint tensor '${name}' of dtype ${tensor.dtype}`);
  const itemSize = dtype === 'BOOL' ? 1 : 4;
  return {
    name,
    dtype,
    shape: [...tensor.shape],
    byteLength: tensor.size * itemSize,
    async read(): Promise<Uint8Array> {
      const values = await tensor.data();
      tensor.dispose();
      return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    },
  };
}

/**
 * Backends whose `write` copies the values into memory of their own (wasm: its heap), so a
 * tensor made from a view never keeps the file buffer alive. cpu adopts the array it is given.
 */
const COPYING_BACKENDS: ReadonlySet<string> = new Set(['wasm']);

/** A file record as a tensor (copies the bytes into TF.js). */
export function fromRecord(record: TensorRecord): tf.Tensor {
  const dtype = FROM_FILE[record.dtype];
  if (dtype === undefined) throw new Error(`tensor '${record.name}' has dtype ${record.dtype}, which TF.js cannot hold`);
  const { data } = record;
  const itemSize = dtype === 'bool' ? 1 : 4;
  // A view is enough when it is aligned for its type (the writer aligns offsets and the read
  // buffer is page-aligned) and the backend copies it anyway. Otherwise copy: views into the file
  // buffer may start at any byte, and a backend that adopts the array would pin the whole file.
  const bytes = data.byteOffset % itemSize === 0 && COPYING_BACKENDS.has(tf.getBackend()) ? data : data.slice();
  const length = bytes.byteLength / itemSize;
  const values = dtype === 'float32' ? new Float32Array(bytes.buffer, bytes.byteOffset, length) : dtype === 'int32' ? new Int32Array(bytes.buffer, bytes.byteOffset, length) : bytes;
  return tf.tensor(values, record.shape, dtype);
}
