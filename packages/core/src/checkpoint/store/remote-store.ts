import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { link, rename, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { makeDurableDir } from '../file/index.js';
import { tempNameFor } from '../file/atomic-write.js';
import { removeFile } from '../../callbacks/model-checkpoint/files.js';
import { FILE_EXTENSION } from '../../callbacks/model-checkpoint/filename.js';
import type { CheckpointStore } from './checkpoint-store.js';
import { readRemoteMetadata } from './remote-metadata.js';
import { claimRemotePrefix } from './remote-lock.js';
import type { RemoteStorage } from './remote-storage.js';
import { withRetries, type RetryPolicy } from './retry.js';

export interface RemoteStoreOptions {
  /** Keep the local copy once the upload is verified. */
  keepLocal: boolean;
  retry: RetryPolicy;
  print: (line: string) => void;
}

async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * A remote prefix seen through a local staging folder. The trainer writes each file into the
 * staging folder (atomic and verified, as any local save); `commit` then uploads it in the
 * background, one upload at a time, and the file counts only once the bytes read back from the
 * server hash the same as the local ones (servers differ in the checksums they verify; a read-back
 * trusts none of them). A failed upload is retried with backoff; when the retries are spent the
 * store remembers the error, the commit rejects, and the fit fails at its next step boundary.
 */
export class RemoteCheckpointStore implements CheckpointStore {
  readonly isRemote = true;
  readonly root: string;
  private uploads: Promise<void> = Promise.resolve();
  private failed: Error | undefined;
  private releaseLock: (() => Promise<void>) | undefined;

  constructor(
    private readonly storage: RemoteStorage,
    readonly stagingDir: string,
    private readonly options: RemoteStoreOptions,
  ) {
    this.root = storage.url;
  }

  get failure(): Error | undefined {
    return this.failed;
  }

  normalize(path: string): string {
    return path;
  }

  contains(path: string): boolean {
    return path.startsWith(`${this.root}/`) && path.length > this.root.length + 1;
  }

  private key(path: string): string {
    if (!this.contains(path)) throw new Error(`${path} is not below ${this.root}`);
    return path.slice(this.root.length + 1);
  }

  localPath(path: string): string {
    return join(this.stagingDir, ...this.key(path).split('/'));
  }

  pathOfLocal(localPath: string): string | undefined {
    const rel = relative(this.stagingDir, resolve(localPath));
    if (rel === '' || rel.startsWith('..') || resolve(rel) === rel) return undefined;
    return `${this.root}/${rel.split(sep).join('/')}`;
  }

  async list(): Promise<string[]> {
    const objects = await this.retry(`listing ${this.root}`, () => this.storage.list());
    // Hidden names (the lock) are skipped, as the folder scan skips them.
    return objects.filter(({ key }) => key.endsWith(FILE_EXTENSION) && !key.split('/').some((part) => part.startsWith('.'))).map(({ key }) => `${this.root}/${key}`);
  }

  async exists(path: string): Promise<boolean> {
    return (await this.retry(`checking ${path}`, () => this.storage.stat(this.key(path)))) !== undefined;
  }

  readMetadata(path: string): Promise<Record<string, string>> {
    return this.retry(`reading the header of ${path}`, () => readRemoteMetadata(this.storage, this.key(path), path));
  }

  /**
   * Queues the upload of the file just written. The file is pinned first under a hidden hard link:
   * a later save under the same name (`last.ckpt`) replaces the name, never the bytes this upload
   * sends, and the local copy is dropped (keepLocal false) only while it is still that file.
   */
  commit(path: string): Promise<void> {
    const pinned = this.pin(path);
    const upload = this.uploads.then(async () => this.upload(path, await pinned));
    this.uploads = upload.catch(() => undefined);
    return upload;
  }

  async committed(): Promise<void> {
    await this.uploads;
    if (this.failed !== undefined) throw this.failed;
  }

  private async pin(path: string): Promise<{ pinned: string; inode: number }> {
    const local = this.localPath(path);
    const pinned = join(dirname(local), tempNameFor(basename(local)));
    await link(local, pinned);
    return { pinned, inode: (await stat(pinned)).ino };
  }

  private async upload(path: string, { pinned: local, inode }: { pinned: string; inode: number }): Promise<void> {
    try {
      await this.uploadPinned(path, local);
    } finally {
      await removeFile(local);
    }
    const named = this.localPath(path);
    if (!this.options.keepLocal && (await stat(named).catch(() => undefined))?.ino === inode) await removeFile(named);
  }

  private async uploadPinned(path: string, local: string): Promise<void> {
    // After a failure nothing more is uploaded: the fit is failing, and a later file must not
    // count while an earlier one it depends on (for `last`, for the ranking) is missing.
    if (this.failed !== undefined) throw this.failed;
    const key = this.key(path);
    try {
      const expected = await sha256OfFile(local);
      await this.retry(`uploading ${local} to ${path}`, async () => {
        await this.storage.upload(local, key);
        const stored = await this.storage.readBackSha256(key);
        if (stored !== expected) throw new Error(`the stored object's SHA-256 ${stored} differs from the local file's ${expected}`);
      });
    } catch (error) {
      this.failed ??= new Error(`checkpoint upload to ${path} failed; the fit stops rather than report a checkpoint that is not in the bucket: ${(error as Error).message}`, { cause: error });
      throw this.failed;
    }
  }

  async writeText(path: string, text: string): Promise<void> {
    await this.retry(`writing ${path}`, () => this.storage.putText(this.key(path), text));
  }

  async remove(path: string): Promise<void> {
    await this.retry(`deleting ${path}`, () => this.storage.delete(this.key(path)));
    await removeFile(this.localPath(path));
  }

  async link(target: string, linkPath: string): Promise<void> {
    await this.retry(`copying ${target} to ${linkPath}`, () => this.storage.copy(this.key(target), this.key(linkPath)));
  }

  /** Downloads into the staging folder under a temp name, then renames: a torn download is never a checkpoint. */
  async fetch(path: string): Promise<string> {
    const local = this.localPath(path);
    await makeDurableDir(dirname(local));
    const temp = join(dirname(local), tempNameFor(basename(local)));
    try {
      await this.retry(`downloading ${path}`, () => this.storage.download(this.key(path), temp));
      await rename(temp, local);
    } catch (error) {
      await removeFile(temp);
      throw error;
    }
    return local;
  }

  async claim(token: string, notice: (line: string) => void): Promise<void> {
    this.releaseLock = await this.retry(`locking ${this.root}`, () => claimRemotePrefix(this.storage, token, notice), (error) => !(error as Error).message.includes('in use by another trainer'));
  }

  async release(): Promise<void> {
    const release = this.releaseLock;
    this.releaseLock = undefined;
    if (release !== undefined) await this.retry(`unlocking ${this.root}`, release);
  }

  private retry<T>(what: string, operation: () => Promise<T>, retryable?: (error: unknown) => boolean): Promise<T> {
    return withRetries(what, this.options.retry, operation, this.options.print, retryable);
  }
}
