import { crc32c } from '@aws-crypto/crc32c';

/** TFRecord's mask: CRCs of data that itself holds CRCs stay meaningful (TensorFlow's crc32c::Mask). */
const MASK_DELTA = 0xa282ead8;

export function maskedCrc32c(data: Uint8Array): number {
  const crc = crc32c(data);
  return (((crc >>> 15) | (crc << 17)) + MASK_DELTA) >>> 0;
}

/** Bytes of framing around each record: length (8), its CRC (4), then the data's CRC (4). */
export const FRAME_OVERHEAD = 16;

/**
 * One TFRecord: uint64 little-endian length, masked CRC-32C of those 8 bytes, the data, masked
 * CRC-32C of the data. The layout TensorFlow's RecordWriter writes and TensorBoard reads.
 */
export function frameRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length + FRAME_OVERHEAD);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(data, 12);
  view.setUint32(12 + data.length, maskedCrc32c(data), true);
  return out;
}

export interface ScannedRecords {
  /** The data of each whole, intact record, in order. */
  records: Uint8Array[];
  /** Bytes from the start covered by those records: where a torn or corrupt tail begins. */
  validLength: number;
  /** Why reading stopped before the end, if it did. */
  problem?: string;
}

/**
 * Reads records from the start of `bytes` up to `limit` and stops at the first incomplete or
 * corrupt one (a crash mid-append leaves such a tail), so a writer can cut the file back there.
 */
export function scanRecords(bytes: Uint8Array, limit = bytes.length): ScannedRecords {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: Uint8Array[] = [];
  let at = 0;
  const end = Math.min(limit, bytes.length);
  while (at < end) {
    if (end - at < 12) return { records, validLength: at, problem: `torn record header at byte ${at}` };
    if (view.getUint32(at + 8, true) !== maskedCrc32c(bytes.subarray(at, at + 8))) return { records, validLength: at, problem: `length CRC mismatch at byte ${at}` };
    const length = Number(view.getBigUint64(at, true));
    if (end - at - FRAME_OVERHEAD < length) return { records, validLength: at, problem: `torn record at byte ${at}` };
    const data = bytes.subarray(at + 12, at + 12 + length);
    if (view.getUint32(at + 12 + length, true) !== maskedCrc32c(data)) return { records, validLength: at, problem: `data CRC mismatch at byte ${at}` };
    records.push(data);
    at += length + FRAME_OVERHEAD;
  }
  return { records, validLength: at };
}
