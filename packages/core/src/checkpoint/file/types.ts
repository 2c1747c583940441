import type { SafetensorsDtype } from './dtypes.js';

/** A named tensor as raw little-endian, row-major bytes. */
export interface TensorRecord {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  data: Uint8Array;
}

/**
 * A tensor whose bytes are produced only when the writer reaches it, so that a save holds about
 * one tensor in memory instead of the whole state. The writer calls `read()` at most once, in
 * file order, and drops the bytes once written. If the write ends (fails) before `read()` was
 * called, it calls `discard()` instead (when given) so the producer can free what it holds.
 */
export interface LazyTensorRecord {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** Must equal element count x dtype size; checked before anything is written. */
  byteLength: number;
  read(): Promise<Uint8Array> | Uint8Array;
  discard?(): void;
}

/**
 * A tensor whose bytes live in memory the writer does not own (a TF.js backend's buffer) and are
 * lent, not copied: `view()` returns them as a view that stays valid only until the caller next
 * yields (on wasm, any TF.js operation may grow the heap and detach older views). The writer
 * copies from it synchronously into its own buffers and calls `view()` again after every pause.
 * It calls `release()` exactly once, when it no longer needs the bytes, whether the write
 * succeeded or not.
 */
export interface BorrowedTensorRecord {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** Must equal element count x dtype size, and the length of every view; checked before anything is written. */
  byteLength: number;
  view(): Uint8Array;
  release(): void;
}

export type TensorSource = TensorRecord | LazyTensorRecord | BorrowedTensorRecord;

export function isLazyRecord(source: TensorSource): source is LazyTensorRecord {
  return typeof (source as Partial<LazyTensorRecord>).read === 'function';
}

export function isBorrowedRecord(source: TensorSource): source is BorrowedTensorRecord {
  return typeof (source as Partial<BorrowedTensorRecord>).view === 'function';
}

export interface ReadOptions {
  /**
   * Default true: refuse files that carry no Cairn checksum. Set false to read plain safetensors
   * files written by other tools. A file that does carry a checksum (or claims to be a Cairn
   * file) is always verified, whatever this option says.
   */
  requireChecksum?: boolean;
}

export interface DecodedCheckpoint {
  /** In file (offset) order. `data` are views into one buffer holding the data section. */
  tensors: Map<string, TensorRecord>;
  /** Everything under `__metadata__`, including the `format`, `format_version` and `checksum` keys. */
  metadata: Record<string, string>;
}
