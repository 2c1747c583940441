import { stat } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { CheckpointError, findCheckpointFiles, readCheckpointFileStreaming, readCheckpointMetadata, type DecodedCheckpoint } from './file/index.js';
import { OPTIMIZER_PREFIX, WEIGHT_PREFIX, decodeState, describeMetadata, type Materialize } from './state-codec.js';
import type { CheckpointState } from './checkpoint-state.js';
import { canHold, fromRecord } from './tensor-records.js';
import { describeValue } from '../options/describe-kind.js';

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
    for (const path of await findCheckpointFiles(dir)) files.add(path);
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
export async function loadCheckpoint(path: string, options: LoadCheckpointOptions = {}): Promise<CheckpointState> {
  const materialize = materializeOptions(options);
  const early = new Map<string, tf.Tensor>();
  let file: DecodedCheckpoint;
  try {
    file = await readCheckpointFileStreaming(path, {}, (record) => {
      const wanted = (materialize.weights && record.name.startsWith(WEIGHT_PREFIX)) || (materialize.optimizer && record.name.startsWith(OPTIMIZER_PREFIX));
      // Anything else is left to decodeState, which reports it in its own words.
      if (wanted && canHold(record.dtype)) early.set(record.name, fromRecord(record));
    });
  } catch (error) {
    tf.dispose([...early.values()]);
    throw error;
  }
  return decodeState(path, file.tensors, file.metadata, early, materialize);
}

/**
 * What `loadCheckpoint` turns into TF.js tensors. A part left out is still read and verified (every
 * byte of the file is checksummed, and the optimizer's slots must all be present), but costs no
 * tensor memory: `weights` comes back empty, `optimizer` undefined.
 */
export interface LoadCheckpointOptions {
  /** The module's weights (default true). */
  weights?: boolean;
  /** The optimizer's slots, e.g. Adam's moments (default true); `loadFromCheckpoint` passes false. */
  optimizer?: boolean;
}

const LOAD_OPTIONS: ReadonlySet<string> = new Set(['weights', 'optimizer']);

function materializeOptions(options: LoadCheckpointOptions): Materialize {
  for (const [key, value] of Object.entries(options)) {
    if (!LOAD_OPTIONS.has(key)) throw new Error(`loadCheckpoint: unknown option '${key}'; the options are ${[...LOAD_OPTIONS].join(', ')}`);
    if (value !== undefined && typeof value !== 'boolean') throw new Error(`loadCheckpoint: option '${key}' must be a boolean, got ${describeValue(value)}`);
  }
  return { weights: options.weights ?? true, optimizer: options.optimizer ?? true };
}
