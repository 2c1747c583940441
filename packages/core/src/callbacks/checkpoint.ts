import { Callback } from './callback.js';

/** What a checkpointing callback reports to the trainer and to `fit`'s result. */
export interface CheckpointReport {
  /** Folder the callback writes to; searched by ckptPath 'last'. */
  readonly dirpath: string | undefined;
  readonly bestModelPath: string;
  readonly bestModelScore: number | undefined;
  readonly bestKModels: Readonly<Record<string, number>>;
  readonly kBestYamlPath: string | undefined;
  readonly lastModelPath: string;
  /** For a remote dirpath (a URL): the local folder files are written to before their upload. */
  readonly stagingDir?: string | undefined;
  /** For a remote dirpath: downloads what `ckptPath` ('last' or a URL below it) names; undefined when not its own. */
  resolveResumePath?(ckptPath: string): Promise<string | undefined>;
}

/**
 * Base class of the callbacks that write checkpoints (Lightning's `callbacks/checkpoint.py`): the
 * trainer finds them by this class, searches their folders for ckptPath 'last', and asks the
 * first one for 'best'. ModelCheckpoint is one; subclass it for another.
 */
export abstract class Checkpoint extends Callback implements CheckpointReport {
  abstract readonly dirpath: string | undefined;
  abstract readonly bestModelPath: string;
  abstract readonly bestModelScore: number | undefined;
  abstract readonly bestKModels: Readonly<Record<string, number>>;
  abstract readonly kBestYamlPath: string | undefined;
  abstract readonly lastModelPath: string;

  /** For a remote dirpath (a URL): the local folder files are written to before their upload. */
  get stagingDir(): string | undefined {
    return undefined;
  }

  /** For a remote dirpath: downloads what `ckptPath` ('last' or a URL below it) names; undefined when not its own. */
  resolveResumePath(_ckptPath: string): Promise<string | undefined> {
    return Promise.resolve(undefined);
  }

  /**
   * The best file this callback had recorded in a saved state of its own (its stateDict()), for
   * ckptPath 'best' when this trainer has not saved one yet. Paths may be relative to the file.
   */
  bestModelPathIn(_saved: Record<string, unknown>): string | undefined {
    return undefined;
  }
}
