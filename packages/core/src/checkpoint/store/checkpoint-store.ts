/**
 * Where one ModelCheckpoint keeps its files: a local folder, or a remote prefix with a local
 * staging folder. ModelCheckpoint names, ranks and deletes files through this interface only, so
 * the same rules (a file counts once durable; an evicted file goes only after its replacement is
 * durable) hold in both. Paths are the store's own spelling: absolute paths for a folder,
 * `s3://bucket/prefix/name.ckpt` for a remote prefix.
 */
export interface CheckpointStore {
  /** The folder or URL prefix. */
  readonly root: string;
  readonly isRemote: boolean;
  /** The one spelling of a path, for comparisons (a folder store resolves it). */
  normalize(path: string): string;
  /** True when `path` lies strictly inside the root. */
  contains(path: string): boolean;
  /** Where the trainer writes the file before it counts (the path itself for a folder). */
  localPath(path: string): string;
  /** The store path of a local file (the inverse of localPath); undefined when it is not one of ours. */
  pathOfLocal(localPath: string): string | undefined;
  /** Every `*.ckpt` below the root. */
  list(): Promise<string[]>;
  exists(path: string): Promise<boolean>;
  /** The checkpoint's `__metadata__`, read from its header only. */
  readMetadata(path: string): Promise<Record<string, string>>;
  /** The file written at localPath(path) becomes durable at path (remote: uploaded and verified). */
  commit(path: string): Promise<void>;
  /** Waits for every commit started so far; rethrows the first that failed for good. */
  committed(): Promise<void>;
  /** A commit failed for good: the error, else undefined (checked at step boundaries). */
  readonly failure: Error | undefined;
  writeText(path: string, text: string): Promise<void>;
  remove(path: string): Promise<void>;
  /** `linkPath` becomes the same file as `target` (a symlink locally, a server-side copy remotely). */
  link(target: string, linkPath: string): Promise<void>;
  /** A verified local copy of the file, for loading; returns its local path. */
  fetch(path: string): Promise<string>;
  /** Claims the root for this fit (remote: a lock object; a folder is claimed by the trainer). */
  claim(token: string, notice: (line: string) => void): Promise<void>;
  release(): Promise<void>;
}
