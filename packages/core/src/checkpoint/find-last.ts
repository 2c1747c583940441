import { stat } from 'node:fs/promises';
import fg from 'fast-glob';
import * as tf from '@tensorflow/tfjs';
import { CheckpointError, readCheckpointFileStreaming, readCheckpointMetadata, type DecodedCheckpoint } from './file/index.js';
import { OPTIMIZER_PREFIX, WEIGHT_PREFIX, decodeState, describeMetadata } from './state-codec.js';
import type { CheckpointState } from './checkpoint-state.js';
import { canHold, fromRecord } from './tensor-records.js';

interface Candidate {
  path: string;
  globalStep: number;
  mtimeMs: number;
}

/** Every full (resumable) checkpoint below `dirs`, newest first: highest global step, then latest write. */
async function candidates(dirs: readonly string[], warn: (line: string) => void): Promise<Candidate[]> {
  const found: Candidate[] = [];
  const files = new Set<string>();
  for (const dir of dirs) {
    // Temp files never end in .ckpt, so a crash's leftovers are never candidates.
    for (const path of await fg('**/*.ckpt', { cwd: dir, absolute: true, onlyFiles: true, followSymbolicLinks: false, dot: false })) files.add(path);
  }
  for (const path of files) {
    try {
      const info = describeMetadata(path, await readCheckpointMetadata(path));
      if (!info.weightsOnly) found.push({ path, globalStep: info.globalStep, mtimeMs: (await stat(path)).mtimeMs });
    } catch (error) {
      if (!(error instanceof CheckpointError)) throw error;
      warn(`cairn: skipping corrupt checkpoint ${path} (${error.message})`);
    }
  }
  return found.sort((a, b) => b.globalStep - a.globalStep || b.mtimeMs - a.mtimeMs);
}

/**
 * The newest valid full checkpoint in `dirs`, read and verified. A newest file that fails a check
 * of its bytes or of its content (CheckpointError: corrupt, or a state Cairn cannot decode) is
 * named in a warning and the next one is tried. Other errors (I/O such as EACCES or EIO) are
 * thrown: they are not about that file's content, and falling back would silently resume from
 * an older step.
 */
export async function loadLast(dirs: readonly string[], warn: (line: string) => void): Promise<{ path: string; state: CheckpointState } | undefined> {
  for (const { path } of await candidates(dirs, warn)) {
    try {
      return { path, state: await loadCheckpoint(path) };
    } catch (error) {
      if (!(error instanceof CheckpointError)) throw error;
      const what = error.check === 'state' ? 'holds a state Cairn cannot decode' : 'is corrupt';
      warn(`cairn: newest checkpoint ${path} ${what} (${error.message}); falling back to the next one`);
    }
  }
  return undefined;
}

/**
 * Reads, verifies and decodes one checkpoint file. Each module weight and optimizer slot is copied
 * into TF.js as soon as its bytes are read, while the next chunk of the file is being read, so
 * building the tensors costs little beyond the read itself. Those early tensors are disposed if
 * the file then fails verification.
 */
export async function loadCheckpoint(path: string): Promise<CheckpointState> {
  const early = new Map<string, tf.Tensor>();
  let file: DecodedCheckpoint;
  try {
    file = await readCheckpointFileStreaming(path, {}, (record) => {
      const isStateTensor = record.name.startsWith(WEIGHT_PREFIX) || record.name.startsWith(OPTIMIZER_PREFIX);
      // Anything else is left to decodeState, which reports it in its own words.
      if (isStateTensor && canHold(record.dtype)) early.set(record.name, fromRecord(record));
    });
  } catch (error) {
    tf.dispose([...early.values()]);
    throw error;
  }
  return decodeState(path, file.tensors, file.metadata, early);
}
