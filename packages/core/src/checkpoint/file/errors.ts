/**
 * The checks a checkpoint file can fail. The name travels in `CheckpointError.check` so that
 * callers (and tests) can tell "someone flipped a byte" from "this is not our format" without
 * parsing messages. Layers above this one may add their own names (e.g. 'state').
 */
export type CheckpointCheck =
  | 'truncated'
  | 'too-large'
  | 'header-length'
  | 'header-json'
  | 'header-object'
  | 'padding'
  | 'duplicate'
  | 'metadata'
  | 'entry'
  | 'dtype'
  | 'shape'
  | 'offsets'
  | 'coverage'
  | 'format'
  | 'checksum'
  | 'input';

/**
 * Raised when a checkpoint file fails validation (reader) or when the writer is given input it
 * cannot store faithfully ('input'). I/O errors (ENOENT, EACCES, ENOSPC ...) are NOT wrapped:
 * they keep their Node `code` so callers can tell a missing file from a corrupt one.
 */
export class CheckpointError extends Error {
  /** The file concerned ('<memory>' for in-memory decoding). */
  readonly path: string;
  /** Which check failed, e.g. 'checksum', 'offsets', 'duplicate'. */
  readonly check: CheckpointCheck | (string & {});
  /** The detail without the path and check prefix. */
  readonly detail: string;

  constructor(path: string, check: CheckpointCheck | (string & {}), detail: string, options?: { cause?: unknown }) {
    super(`checkpoint ${path}: ${check} check failed: ${detail}`, options);
    this.name = 'CheckpointError';
    this.path = path;
    this.check = check;
    this.detail = detail;
  }
}
