import type { CheckpointStore } from '../../checkpoint/store/checkpoint-store.js';
import type { FileRole } from './ownership.js';

/** What the writes need from the trainer: its public saveCheckpoint. */
export interface CheckpointSaver {
  saveCheckpoint(path: string, options: { weightsOnly: boolean }): Promise<string>;
}

/**
 * ModelCheckpoint's bookkeeping of the files it asked the trainer to write. A save resolves only
 * once the file is durable; until then its name is taken (no second save may pick it) and every
 * capture is signed with it (ownership.ts). What must wait for a file (deleting the one it
 * replaces, a `last` link to it, best_k_models.yaml) runs after it in request order, and only if
 * it was written: a failed write never costs the file it was to replace.
 */
export class CheckpointWrites {
  /** Requested and not yet durable. */
  private readonly pending = new Map<string, FileRole>();
  private followUps: Promise<void> = Promise.resolve();
  private latestWrite: Promise<unknown> = Promise.resolve();
  /** The newest file requested, for a `last` link. */
  private newest: { path: string; done: Promise<string> } | undefined;

  constructor(private readonly print: (line: string) => void) {}

  /**
   * Asks the trainer for the file (at the store's local path) and has the store commit it;
   * resolves with its path once it is durable there (for a remote store: uploaded and verified).
   */
  request(saver: CheckpointSaver, store: CheckpointStore, path: string, role: FileRole, weightsOnly: boolean): Promise<string> {
    this.pending.set(path, role);
    const written = saver.saveCheckpoint(store.localPath(path), { weightsOnly });
    const done = store.isRemote ? written.then(() => store.commit(path)).then(() => path) : written;
    // A failed upload is reported by the store at the next hook and by fit; nobody may crash on it meanwhile.
    done.catch(() => undefined);
    this.newest = { path, done };
    this.latestWrite = done;
    const settled = (): void => {
      this.pending.delete(path);
    };
    done.then(settled, settled);
    return done;
  }

  /** Runs `then` once `done` succeeded, in order with earlier follow-ups; a failed write skips it. */
  afterDurable(done: Promise<unknown>, then: () => Promise<void>): void {
    this.followUps = this.followUps
      .then(() => done)
      .then(then, () => undefined)
      .catch((error: unknown) => this.print(`ModelCheckpoint: ${String(error)}`));
  }

  isPending(path: string): boolean {
    return this.pending.has(path);
  }

  /** The files requested and not yet durable, for the signature of the next capture. */
  pendingFiles(): { path: string; role: FileRole }[] {
    return [...this.pending].map(([path, role]) => ({ path, role }));
  }

  /** The newest file requested (undefined before the first). */
  get newestRequest(): { path: string; done: Promise<string> } | undefined {
    return this.newest;
  }

  /** Waits for the follow-ups queued so far (deletions, links, YAML). */
  async followUpsDone(): Promise<void> {
    await this.followUps;
  }

  /** Waits for the newest write (its failure is the trainer's to report) and every follow-up. */
  async allDone(): Promise<void> {
    await this.latestWrite.catch(() => undefined);
    await this.followUps;
  }
}
