import { writeFileAtomically } from './atomic-write.js';
import { formatChecksum, writeDigits, CHECKSUM_DIGITS } from './checksum.js';
import { CheckpointError } from './errors.js';
import { CrcFileSink } from './file-sink.js';
import { buildPreamble } from './header.js';
import { planLayout, planMetadata } from './layout.js';
import { isLazyRecord, type LazyTensorRecord, type TensorSource } from './types.js';

export interface WriteResult {
  path: string;
  /** Size of the file written. */
  bytes: number;
}

/**
 * Writes a checkpoint atomically and durably (see writeFileAtomically): the header, then each
 * tensor in layout order, reading lazy tensors one at a time, then the checksum digits patched
 * into the header. Either the complete new file appears at `path` or nothing changes there.
 * Metadata keys `format`, `format_version` and `checksum` are added by this layer and may not be
 * given.
 */
export async function writeCheckpointFile(
  path: string,
  tensors: readonly TensorSource[],
  metadata: Readonly<Record<string, string>> = {},
): Promise<WriteResult> {
  const unread = new Set<LazyTensorRecord>(tensors.filter(isLazyRecord));
  try {
    const layout = planLayout(path, tensors);
    const preamble = buildPreamble(path, layout.entries, planMetadata(path, metadata));
    const bytes = preamble.bytes.length + layout.dataSize;
    await writeFileAtomically(path, async (file) => {
      const sink = new CrcFileSink(file);
      await sink.write(preamble.bytes);
      for (const entry of layout.entries) {
        const { source } = entry;
        let data: Uint8Array;
        if (isLazyRecord(source)) {
          unread.delete(source);
          data = await source.read();
        } else {
          data = source.data;
        }
        // A lazy producer may disagree with the byteLength it announced; the header already promised it.
        if (!(data instanceof Uint8Array) || data.byteLength !== entry.end - entry.begin) {
          throw new CheckpointError(path, 'input', `tensor '${entry.name}' produced ${describeLength(data)} instead of ${entry.end - entry.begin}`);
        }
        await sink.write(data);
      }
      await sink.flush();
      if (sink.length !== bytes) throw new CheckpointError(path, 'input', `wrote ${sink.length} bytes instead of ${bytes}`);
      // The header went out with '0' digits, so the running CRC is the checksum of the final file.
      const digits = new Uint8Array(CHECKSUM_DIGITS);
      writeDigits(digits, 0, formatChecksum(sink.crc));
      await sink.patch(digits, preamble.digitsOffset);
    });
    return { path, bytes };
  } finally {
    for (const record of unread) {
      try {
        record.discard?.();
      } catch {
        // A failing discard must not hide the write's own outcome.
      }
    }
  }
}

function describeLength(data: unknown): string {
  return data instanceof Uint8Array ? `${data.byteLength} bytes` : `a ${typeof data} (not a Uint8Array)`;
}
