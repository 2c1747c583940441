import { writeFileAtomically } from './atomic-write.js';
import { formatChecksum, writeDigits, CHECKSUM_DIGITS } from './checksum.js';
import { CheckpointError } from './errors.js';
import { CrcFileSink } from './file-sink.js';
import { buildPreamble } from './header.js';
import { planLayout, planMetadata, type LayoutEntry } from './layout.js';
import { isBorrowedRecord, isLazyRecord, type BorrowedTensorRecord, type LazyTensorRecord, type TensorSource } from './types.js';

export interface WriteResult {
  path: string;
  /** Size of the file written. */
  bytes: number;
}

/**
 * Writes a checkpoint atomically and durably (see writeFileAtomically): the header, then each
 * tensor in layout order (lazy tensors read one at a time, borrowed ones copied straight from
 * their lender's memory), then the checksum digits patched into the header. Either the complete
 * new file appears at `path` or nothing changes there. Metadata keys `format`, `format_version`
 * and `checksum` are added by this layer and may not be given.
 */
export async function writeCheckpointFile(
  path: string,
  tensors: readonly TensorSource[],
  metadata: Readonly<Record<string, string>> = {},
): Promise<WriteResult> {
  // Records the writer has not finished with: each is discarded or released exactly once.
  const pending = new Set<LazyTensorRecord | BorrowedTensorRecord>(tensors.filter((t) => isLazyRecord(t) || isBorrowedRecord(t)));
  try {
    const layout = planLayout(path, tensors);
    const preamble = buildPreamble(path, layout.entries, planMetadata(path, metadata));
    const bytes = preamble.bytes.length + layout.dataSize;
    await writeFileAtomically(path, async (file) => {
      const sink = new CrcFileSink(file, bytes);
      try {
        await sink.write(() => preamble.bytes);
        for (const entry of layout.entries) await writeEntry(path, sink, entry, pending);
        await sink.flush();
      } finally {
        // The file is closed (and on failure deleted) next: no write of ours may still be running.
        await sink.settle();
        sink.recycle();
      }
      if (sink.length !== bytes) throw new CheckpointError(path, 'input', `wrote ${sink.length} bytes instead of ${bytes}`);
      // The header went out with '0' digits, so the running CRC is the checksum of the final file.
      const digits = new Uint8Array(CHECKSUM_DIGITS);
      writeDigits(digits, 0, formatChecksum(await sink.crc()));
      await sink.patch(digits, preamble.digitsOffset);
    });
    return { path, bytes };
  } finally {
    for (const record of pending) {
      try {
        if (isBorrowedRecord(record)) record.release();
        else record.discard?.();
      } catch {
        // A failing discard must not hide the write's own outcome.
      }
    }
  }
}

async function writeEntry(
  path: string,
  sink: CrcFileSink,
  entry: LayoutEntry<TensorSource>,
  pending: Set<LazyTensorRecord | BorrowedTensorRecord>,
): Promise<void> {
  const { source } = entry;
  // A producer may disagree with the byteLength it announced; the header already promised it.
  const checked = (data: Uint8Array): Uint8Array => {
    if (!(data instanceof Uint8Array) || data.byteLength !== entry.end - entry.begin) {
      throw new CheckpointError(path, 'input', `tensor '${entry.name}' produced ${describeLength(data)} instead of ${entry.end - entry.begin}`);
    }
    return data;
  };
  if (isBorrowedRecord(source)) {
    pending.delete(source);
    try {
      await sink.write(() => checked(source.view()));
    } finally {
      // The sink copied every byte before resolving: the lender may free its memory now.
      source.release();
    }
    return;
  }
  let data: Uint8Array;
  if (isLazyRecord(source)) {
    pending.delete(source);
    data = await source.read();
  } else {
    data = source.data;
  }
  const bytes = checked(data);
  await sink.write(() => bytes);
}

function describeLength(data: unknown): string {
  return data instanceof Uint8Array ? `${data.byteLength} bytes` : `a ${typeof data} (not a Uint8Array)`;
}
