import { getFloat16, setFloat16 } from '@petamoriken/float16';
import type { SafetensorsDtype } from './dtypes.js';

/** Dtypes whose elements read as JavaScript numbers without loss of meaning (floats, ints up to 2^53, bool). */
const NUMERIC: ReadonlySet<SafetensorsDtype> = new Set(['F64', 'F32', 'F16', 'BF16', 'I64', 'I32', 'I16', 'I8', 'U64', 'U32', 'U16', 'U8', 'BOOL']);

export const FLOAT_DTYPES: readonly SafetensorsDtype[] = ['F64', 'F32', 'F16', 'BF16'];

export function isFloatDtype(dtype: SafetensorsDtype): boolean {
  return FLOAT_DTYPES.includes(dtype);
}

/** Whether readValues can decode `dtype` (the 8-bit float formats cannot). */
export function hasNumericValues(dtype: SafetensorsDtype): boolean {
  return NUMERIC.has(dtype);
}

/**
 * The elements of a little-endian tensor as numbers. Half-precision (F16, via @petamoriken/float16)
 * and bfloat16 (the top half of a float32) widen exactly; 64-bit integers beyond 2^53 lose bits.
 */
export function readValues(dtype: SafetensorsDtype, bytes: Uint8Array): Float64Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const read = reader(dtype, view);
  const size = byteSize(dtype);
  const out = new Float64Array(bytes.byteLength / size);
  for (let i = 0; i < out.length; i++) out[i] = read(i * size);
  return out;
}

/** `values` stored as `dtype` (floats rounded to nearest, ties to even). Integers must fit the type. */
export function writeValues(dtype: SafetensorsDtype, values: ArrayLike<number>): Uint8Array {
  const size = byteSize(dtype);
  const bytes = new Uint8Array(values.length * size);
  const view = new DataView(bytes.buffer);
  const scratch = new DataView(new ArrayBuffer(4));
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const at = i * size;
    switch (dtype) {
      case 'F64': view.setFloat64(at, v, true); break;
      case 'F32': view.setFloat32(at, v, true); break;
      case 'F16': setFloat16(view, at, v, true); break;
      case 'BF16': view.setUint16(at, toBfloat16Bits(v, scratch), true); break;
      case 'I64': view.setBigInt64(at, BigInt(Math.round(v)), true); break;
      case 'U64': view.setBigUint64(at, BigInt(Math.round(v)), true); break;
      case 'I32': view.setInt32(at, v, true); break;
      case 'U32': view.setUint32(at, v, true); break;
      case 'I16': view.setInt16(at, v, true); break;
      case 'U16': view.setUint16(at, v, true); break;
      case 'I8': view.setInt8(at, v); break;
      case 'U8': view.setUint8(at, v); break;
      case 'BOOL': view.setUint8(at, v === 0 ? 0 : 1); break;
      default: throw new Error(`cannot write values of dtype ${dtype}`);
    }
  }
  return bytes;
}

function byteSize(dtype: SafetensorsDtype): number {
  return dtype === 'F64' || dtype === 'I64' || dtype === 'U64' ? 8 : dtype === 'F32' || dtype === 'I32' || dtype === 'U32' ? 4 : dtype === 'F16' || dtype === 'BF16' || dtype === 'I16' || dtype === 'U16' ? 2 : 1;
}

function reader(dtype: SafetensorsDtype, view: DataView): (at: number) => number {
  const scratch = new DataView(new ArrayBuffer(4));
  switch (dtype) {
    case 'F64': return (at) => view.getFloat64(at, true);
    case 'F32': return (at) => view.getFloat32(at, true);
    case 'F16': return (at) => getFloat16(view, at, true);
    case 'BF16': return (at) => {
      scratch.setUint32(0, view.getUint16(at, true) << 16);
      return scratch.getFloat32(0);
    };
    case 'I64': return (at) => Number(view.getBigInt64(at, true));
    case 'U64': return (at) => Number(view.getBigUint64(at, true));
    case 'I32': return (at) => view.getInt32(at, true);
    case 'U32': return (at) => view.getUint32(at, true);
    case 'I16': return (at) => view.getInt16(at, true);
    case 'U16': return (at) => view.getUint16(at, true);
    case 'I8': return (at) => view.getInt8(at);
    case 'U8':
    case 'BOOL': return (at) => view.getUint8(at);
    default: throw new Error(`cannot read values of dtype ${dtype}`);
  }
}

/** bfloat16 is the high half of a float32; round to nearest even on the dropped half, keep NaN a NaN. */
function toBfloat16Bits(value: number, scratch: DataView): number {
  if (Number.isNaN(value)) return 0x7fc0;
  scratch.setFloat32(0, value);
  const bits = scratch.getUint32(0);
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}
