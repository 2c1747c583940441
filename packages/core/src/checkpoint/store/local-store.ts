import { resolve } from 'node:path';
import { findCheckpointFiles, readCheckpointMetadata, writeTextFileAtomically } from '../file/index.js';
import { isInside } from '../../callbacks/model-checkpoint/filename.js';
import { linkAtomically, pathExists, removeFile } from '../../callbacks/model-checkpoint/files.js';
import type { CheckpointStore } from './checkpoint-store.js';

/** A local folder: files are durable when the trainer's atomic write returns. The folder lock is the trainer's. */
export class LocalFolderStore implements CheckpointStore {
  readonly isRemote = false;
  readonly failure = undefined;

  constructor(readonly root: string) {}

  normalize(path: string): string {
    return resolve(path);
  }
  contains(path: string): boolean {
    return isInside(path, this.root);
  }
  localPath(path: string): string {
    return path;
  }
  pathOfLocal(localPath: string): string {
    return resolve(localPath);
  }
  list(): Promise<string[]> {
    return findCheckpointFiles(this.root);
  }
  exists(path: string): Promise<boolean> {
    return pathExists(path);
  }
  readMetadata(path: string): Promise<Record<string, string>> {
    return readCheckpointMetadata(path);
  }
  async commit(): Promise<void> {}
  async committed(): Promise<void> {}
  writeText(path: string, text: string): Promise<void> {
    return writeTextFileAtomically(path, text);
  }
  remove(path: string): Promise<void> {
    return removeFile(path);
  }
  link(target: string, linkPath: string): Promise<void> {
    return linkAtomically(target, linkPath);
  }
  async fetch(path: string): Promise<string> {
    return resolve(path);
  }
  async claim(): Promise<void> {}
  async release(): Promise<void> {}
}
