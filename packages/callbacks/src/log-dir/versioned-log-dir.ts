import { join } from 'node:path';
import { describeValue, findCheckpointFiles } from '@cairn/core';
import { existingVersions, nextVersion, versionFolder } from './versions.js';

/** The folder options every file logger shares (Lightning's Logger API). */
export interface LogDirOptions {
  /** Folder under which `name/version_N/` is created. */
  saveDir: string;
  /** Experiment folder inside saveDir. Default 'lightning_logs'; '' writes versions directly in saveDir. */
  name?: string;
  /** A number (folder `version_N`) or a folder name. Default: the highest existing version_N + 1. */
  version?: number | string;
  /** Prepended to every metric name as `prefix-name` (Lightning's join character). Default ''. */
  prefix?: string;
}

/**
 * `saveDir/name/version_N` as Lightning's file loggers lay it out. The version is decided on first
 * use (as Lightning does), so a resume can still adopt the version its checkpoint recorded.
 */
export class VersionedLogDir {
  readonly saveDir: string;
  readonly name: string;
  readonly prefix: string;
  /** The user gave a version: a resume keeps it rather than the checkpoint's. */
  readonly explicitVersion: boolean;
  private chosenVersion: number | string | undefined;

  /** Validates the options; `fail` raises the owner's error (it names the logger). */
  constructor(options: LogDirOptions, fail: (message: string) => never) {
    if (typeof options?.saveDir !== 'string' || options.saveDir.length === 0) fail('saveDir must be a non-empty path');
    const { name = 'lightning_logs', version, prefix = '' } = options;
    // The name and a string version become folders under saveDir: a separator, '..' or an
    // absolute path would put the logs elsewhere.
    if (typeof name !== 'string' || (name !== '' && !isFolderName(name))) {
      fail(`name must be a plain folder name (no '/', '\\', NUL, '.' or '..') or '' to write the versions directly in saveDir, got ${describeValue(name)}`);
    }
    if (version !== undefined && !isVersion(version)) fail(`version must be a non-negative integer or a folder name (no '/', '\\', NUL, '.' or '..'), got ${describeValue(version)}`);
    if (typeof prefix !== 'string') fail(`prefix must be a string, got ${describeValue(prefix)}`);
    this.saveDir = options.saveDir;
    this.name = name;
    this.prefix = prefix;
    this.chosenVersion = version;
    this.explicitVersion = version !== undefined;
  }

  /** Folder holding the version folders. */
  get rootDir(): string {
    return this.name === '' ? this.saveDir : join(this.saveDir, this.name);
  }

  get version(): number | string {
    this.chosenVersion ??= nextVersion(this.rootDir);
    return this.chosenVersion;
  }

  get path(): string {
    return join(this.rootDir, versionFolder(this.version));
  }

  /**
   * Adopts the version a checkpoint was logged in, unless the user chose one. Returns a notice to
   * print when the user's choice differs from the checkpoint's, else undefined.
   */
  resumeIn(saved: number | string): string | undefined {
    if (!this.explicitVersion) {
      this.chosenVersion = saved;
      return undefined;
    }
    return this.chosenVersion === saved ? undefined : `resuming a run logged in ${versionFolder(saved)} into ${versionFolder(this.version)} (the version you gave)`;
  }

  /**
   * For `ckptPath: 'last'`: with an automatic version, moves to the newest `version_N` folder that
   * holds a checkpoint (the run that stopped), so the default checkpoint folder is that run's and
   * logging continues there. A version the user gave, or no folder with a checkpoint, changes nothing.
   */
  async adoptLatestWithCheckpoint(): Promise<void> {
    if (this.explicitVersion) return;
    for (const version of existingVersions(this.rootDir).sort((a, b) => b - a)) {
      if ((await findCheckpointFiles(join(this.rootDir, versionFolder(version)))).length > 0) {
        this.chosenVersion = version;
        return;
      }
    }
  }

  /** `prefix-name`, or the name alone without a prefix. */
  prefixed(name: string): string {
    return this.prefix === '' ? name : `${this.prefix}-${name}`;
  }
}

/** One path component: not empty, no separator or NUL, not '.' or '..' (so never absolute either). */
function isFolderName(name: string): boolean {
  return /^[^/\\\0]+$/.test(name) && name !== '.' && name !== '..';
}

function isVersion(version: unknown): boolean {
  if (typeof version === 'number') return Number.isSafeInteger(version) && version >= 0;
  return typeof version === 'string' && isFolderName(version);
}
