import { stat } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { CheckpointError, describeMetadata, loadCheckpoint, readCheckpointMetadata, type CheckpointState } from '@cairn/core';

/** The outcome of every check Cairn makes on a checkpoint: structure, checksum, and a decodable state. */
export type CheckResult =
  | { path: string; ok: true; bytes: number; state: CheckpointState }
  | { path: string; ok: false; bytes: number | undefined; check: string; message: string; epoch?: number; globalStep?: number };

/**
 * Runs the same verification a resume does (core's loadCheckpoint: the whole file is read, its
 * layout and checksum verified, its state decoded), then frees the tensors it built. Errors that
 * are not about the file's content (EACCES, EIO) are reported under the check 'io'.
 */
export async function checkCheckpoint(path: string): Promise<CheckResult> {
  let bytes: number | undefined;
  try {
    bytes = (await stat(path)).size;
    const state = await loadCheckpoint(path);
    tf.dispose([...state.weights.values(), ...(state.optimizer?.weights ?? [])]);
    return { path, ok: true, bytes, state };
  } catch (error) {
    const facts = await headerFacts(path);
    if (error instanceof CheckpointError) return { path, ok: false, bytes, check: error.check, message: error.detail, ...facts };
    const code = (error as NodeJS.ErrnoException).code;
    return { path, ok: false, bytes, check: 'io', message: code === undefined ? String(error) : `${code}: ${(error as Error).message}`, ...facts };
  }
}

/** Epoch and step from a header that still parses, to show next to a file that failed a later check. */
async function headerFacts(path: string): Promise<{ epoch?: number; globalStep?: number }> {
  try {
    const { epoch, globalStep } = describeMetadata(path, await readCheckpointMetadata(path));
    return { epoch, globalStep };
  } catch {
    return {};
  }
}

/** The score ModelCheckpoint recorded for this file (its `currentScore` when it was saved), with the metric's name. */
export function monitoredScore(callbacks: CheckpointState['callbacks']): { monitor: string; score: number } | undefined {
  for (const [key, value] of Object.entries(callbacks)) {
    if (!key.startsWith('ModelCheckpoint')) continue;
    const { monitor, currentScore } = value as { monitor?: unknown; currentScore?: unknown };
    if (typeof monitor === 'string' && typeof currentScore === 'number') return { monitor, score: currentScore };
  }
  return undefined;
}
