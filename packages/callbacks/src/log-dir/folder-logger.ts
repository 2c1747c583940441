import { VersionedLogDir, type LogDirOptions } from './versioned-log-dir.js';

/** Lightning's file-logger surface (saveDir, name, prefix, rootDir, version, logDir) over one VersionedLogDir. */
export abstract class FolderLogger {
  protected readonly dir: VersionedLogDir;
  /** The class's name in state keys, fixed here so minified or subclassed code keeps its checkpoints. */
  private readonly kind: string;

  protected constructor(kind: string, options: LogDirOptions, fail: (message: string) => never) {
    this.kind = kind;
    this.dir = new VersionedLogDir(options, fail);
  }

  get saveDir(): string {
    return this.dir.saveDir;
  }
  get name(): string {
    return this.dir.name;
  }
  get prefix(): string {
    return this.dir.prefix;
  }
  /** Folder holding the version folders. */
  get rootDir(): string {
    return this.dir.rootDir;
  }
  /** Decided on first use (Lightning does the same), so a resume can still adopt the checkpoint's version. */
  get version(): number | string {
    return this.dir.version;
  }
  get logDir(): string {
    return this.dir.path;
  }

  /** Logger hook for `ckptPath: 'last'`: continue the newest version folder that holds a checkpoint (automatic version only). */
  resumeLatestRun(): Promise<void> {
    return this.dir.adoptLatestWithCheckpoint();
  }

  /** Stable across runs (the version may be automatic): two loggers of a class in one trainer need different names or prefixes. */
  get stateKey(): string {
    return `${this.kind}{name=${this.name},prefix=${this.prefix}}`;
  }
}
