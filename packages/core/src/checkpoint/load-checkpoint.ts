import { stat } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { CheckpointError, findCheckpointFiles, readCheckpointMetadata, streamCheckpointFile, type StreamedCheckpoint } from './file/index.js';
import { OPTIMIZER_PREFIX, WEIGHT_PREFIX, decodeState, describeMetadata, type Materialize } from './state-codec.js';
import type { CheckpointState } from './checkpoint-state.js';
import { describeValue } from '../options/describe-kind.js';
import { buildTensor, type TensorBuild } from './tensor-builder.js';
import { canHold } from './tensor-memory.js';

interface Candidate {
  path: string;
  globalStep: number;
  mtimeMs: number;
}

/** Every full (resumable) checkpoint below `dirs`, newest first: highest global step, then latest write. */
async function candidates(dirs: readonly string[], warn: (line: string) => void, extraFiles: readonly string[]): Promise<Candidate[]> {
  const found: Candidate[] = [];
  const files = new Set<string>(extraFiles);
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
 * The newest valid full checkpoint in `dirs` (and `extraFiles`: remote ones downloaded), read and verified. A newest file that fails a check
 * of its bytes or of its content (CheckpointError: corrupt, or a state Cairn cannot decode) is
 * named in a warning and the next one is tried. Other errors (I/O such as EACCES or EIO) are
 * thrown: they are not about that file's content, and falling back would silently resume from
 * an older step.
 */
export async function loadLast(dirs: readonly string[], warn: (line: string) => void, extraFiles: readonly string[] = []): Promise<{ path: string; state: CheckpointState } | undefined> {
  for (const { path } of await candidates(dirs, warn, extraFiles)) {
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
 * Reads, verifies and decodes one checkpoint file. The file is streamed through two reused chunk
 * buffers straight into the memory of the tensors it becomes (see buildTensor), so a load holds
 * the state and no copy of the file. Those tensors are disposed if the file then fails
 * verification or decoding.
 */
export async function loadCheckpoint(path: string, options: LoadCheckpointOptions = {}): Promise<CheckpointState> {
  const materialize = materializeOptions(options);
  const builds = new Map<string, TensorBuild>();
  let file: StreamedCheckpoint;
  try {
    file = await streamCheckpointFile(path, {}, (entry) => {
      const wanted = (materialize.weights && entry.name.startsWith(WEIGHT_PREFIX)) || (materialize.optimizer && entry.name.startsWith(OPTIMIZER_PREFIX));
      // Anything else is left to decodeState, which reports it in its own words.
      if (!wanted || !canHold(entry.dtype)) return undefined;
      const build = buildTensor(entry);
      builds.set(entry.name, build);
      return build.sink;
    });
  } catch (error) {
    for (const build of builds.values()) build.discard();
    throw error;
  }
  const built = new Map([...builds].map(([name, build]) => [name, build.finish()]));
  try {
    const entries = new Map(file.entries.map((entry) => [entry.name, entry]));
    return decodeState(path, entries, file.metadata, (entry) => {
      const tensor = built.get(entry.name);
      if (tensor === undefined) throw new Error(`loadCheckpoint: tensor '${entry.name}' was not read into a tensor`);
      built.delete(entry.name);
      return tensor;
    }, materialize);
  } finally {
    // Read but not part of the state (a slot no longer listed, say): nothing may keep it alive.
    tf.dispose([...built.values()]);
  }
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
