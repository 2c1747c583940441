import type { CheckpointState } from '../../checkpoint/checkpoint-state.js';
import { decodeJson } from '../../checkpoint/json-codec.js';
import { CheckpointError } from '../../checkpoint/file/index.js';
import type { CheckpointStore } from '../../checkpoint/store/checkpoint-store.js';

/** What a file was written for: ranked (top-k), the `last` copy, or the save after an error. */
export type FileRole = 'topk' | 'last' | 'exception';

/**
 * Signature left in each checkpoint a ModelCheckpoint writes, under this key of `extra` and the
 * callback's state key: the run lineage (kept across resumes) and the files the callback had
 * requested but not yet seen durable when this one was captured. A file listing its own path was
 * written by that callback; any other file (a user's save, another run's) is never touched.
 */
export const WRITER_MARK_KEY = 'cairn.model_checkpoint';
// The metadata key under which the state layer stores `extra` (checkpoint/state-codec.ts).
const EXTRA_METADATA_KEY = 'cairn.extra';

export interface WriterMark {
  run: string;
  files: { path: string; role: FileRole }[];
}

export function markCheckpoint(checkpoint: CheckpointState, stateKey: string, mark: WriterMark): void {
  const existing = checkpoint.extra[WRITER_MARK_KEY];
  const marks = typeof existing === 'object' && existing !== null ? (existing as Record<string, WriterMark>) : {};
  marks[stateKey] = mark;
  checkpoint.extra[WRITER_MARK_KEY] = marks;
}

function ownRole(path: string, metadata: Record<string, string>, stateKey: string, run: string): FileRole | undefined {
  const text = metadata[EXTRA_METADATA_KEY];
  if (text === undefined) return undefined;
  const extra = decodeJson(text) as Record<string, unknown> | null;
  const mark = (extra?.[WRITER_MARK_KEY] as Record<string, WriterMark> | undefined)?.[stateKey];
  if (mark?.run !== run || !Array.isArray(mark.files)) return undefined;
  return mark.files.find((file) => file.path === path)?.role;
}

/** Checkpoints in `store` written by the callback with `stateKey` in run lineage `run`. */
export async function findOwnFiles(store: CheckpointStore, stateKey: string, run: string): Promise<{ path: string; role: FileRole }[]> {
  const own: { path: string; role: FileRole }[] = [];
  for (const path of await store.list()) {
    let metadata: Record<string, string>;
    try {
      metadata = await store.readMetadata(path);
    } catch (error) {
      // A corrupt or vanished file is not provably ours: leave it.
      if (error instanceof CheckpointError || (error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    let role: FileRole | undefined;
    try {
      role = ownRole(path, metadata, stateKey, run);
    } catch {
      continue;
    }
    if (role !== undefined) own.push({ path, role });
  }
  return own;
}
