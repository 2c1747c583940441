import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { DataLoader } from '../data/data-loader.js';
import type { LightningModule } from '../module/lightning-module.js';
import type { LoopView } from './loop-view.js';
import { captureState, restoreState } from './loop-state.js';
import { DirLock } from './dir-lock.js';
import type { CheckpointState } from './checkpoint-state.js';
import { cleanupTempFiles, writeCheckpointFile } from './file/index.js';
import { loadCheckpoint, loadLast } from './load-checkpoint.js';
import { findCheckpointFiles } from './file/scan.js';
import { loadWeights } from '../module/load-weights.js';
import { encodeState } from './state-codec.js';
import { describeValue } from '../options/describe-kind.js';
import { isRemoteUrl } from './store/remote-storage.js';

export interface SaveOptions {
  /** Weights and metadata only: enough for inference, not for resuming. Default false. */
  weightsOnly?: boolean;
}

interface Request {
  path: string;
  weightsOnly: boolean;
  settle: { resolve: (path: string) => void; reject: (error: unknown) => void };
}

/**
 * The trainer's checkpoint machinery: queues save requests until the step boundary, snapshots
 * the state there, writes it in the background (one write in flight), and restores on resume.
 */
export class CheckpointIO {
  /** Every file written since the last reset, in order. */
  readonly written: string[] = [];
  private requests: Request[] = [];
  private inFlight: Promise<void> = Promise.resolve();
  /** Captures run one after another: two overlapping ones could both pass `await inFlight` and write at once. */
  private captureLock: Promise<void> = Promise.resolve();
  /** The loop is over: no step boundary will come to capture a queued request, so capture at once. */
  private loopOver = false;
  private failure: { error: unknown } | undefined;
  private trainLoader: DataLoader<unknown> | undefined;
  private readonly locks: DirLock[] = [];
  private pendingWrites = 0;
  private readonly lockToken = randomUUID();

  constructor(
    private readonly loop: LoopView,
    private readonly warn: (line: string) => void,
  ) {}

  reset(trainLoader?: DataLoader<unknown>): void {
    // A request nobody captured must not leave its caller waiting forever.
    const dropped = this.requests;
    this.requests = [];
    for (const request of dropped) {
      request.settle.reject(new Error(`saveCheckpoint(${request.path}): the request was never captured and a new run has started; it was dropped`));
    }
    this.written.length = 0;
    this.failure = undefined;
    this.loopOver = false;
    this.trainLoader = trainLoader;
  }

  /**
   * Starts a fit's checkpointing: claims the checkpoint folders, records which train DataLoader's
   * position every full checkpoint holds, and restores `ckptPath` if given. Returns the file
   * restored from.
   */
  async open(trainLoader: DataLoader<unknown> | undefined, ckptPath: string | undefined): Promise<string | undefined> {
    this.trainLoader = trainLoader;
    await this.claimFolders();
    const module = this.loop.module;
    if (ckptPath === undefined || module === undefined) return undefined;
    return await this.restore(ckptPath, module);
  }

  /**
   * The step boundary: every hook of the step has run (its validation and epoch end too), so the
   * state captured now resumes exactly at the next step. Rethrows a failed background write.
   */
  async stepBoundary(): Promise<void> {
    await this.captureRequested();
    if (this.failure !== undefined) throw this.failure.error;
    // On cpu/wasm every await of a step resolves as a microtask, so file I/O would never
    // progress between saves; give the event loop one turn while a write is running.
    if (this.pendingWrites > 0) await new Promise<void>((resolveTurn) => setImmediate(resolveTurn));
  }

  /**
   * The fit loop has ended: what is pending is captured and made durable; later requests (from
   * onFitEnd, teardown or anything after the last boundary) are captured when made (waiting for a
   * boundary would leave a hook that awaits its save waiting forever).
   */
  async endLoop(): Promise<void> {
    this.loopOver = true;
    await this.captureRequested();
    await this.drain();
  }

  /**
   * Ends a fit: runs `teardown` (whose saves are captured at once), waits until every write is
   * durable, then releases the folders. A teardown save's failure is reported, not thrown.
   */
  async close(teardown: () => Promise<void>): Promise<void> {
    this.loopOver = true;
    const knownFailure = this.failure?.error;
    await teardown();
    await this.drain().catch((writeError: unknown) => {
      if (writeError !== knownFailure) this.warn(`cairn: a checkpoint requested in teardown failed: ${String(writeError)}`);
    });
    await this.releaseFolders();
  }

  /**
   * Folders where this run's checkpoints are written: each checkpoint callback's dirpath, or for a
   * remote one its staging folder. `forResume` leaves the staging folders out: a remote prefix's
   * own files come from the bucket, not from a local copy that may never have been uploaded.
   */
  private checkpointDirs(forResume = false): string[] {
    const callbacks = this.loop.checkpointCallbacks.filter((c) => !forResume || c.stagingDir === undefined);
    const dirs = callbacks.map((c) => c.stagingDir ?? c.dirpath).filter((d): d is string => typeof d === 'string' && d.length > 0);
    return [...new Set(dirs.map((d) => resolve(d)))];
  }

  /** A local copy of a remote checkpoint: `'last'` (the newest of every remote prefix) or a URL. */
  private async pullRemote(ckptPath: string): Promise<string[]> {
    const pulled: string[] = [];
    for (const callback of this.loop.checkpointCallbacks) {
      const local = await callback.resolveResumePath?.(ckptPath);
      if (local !== undefined) pulled.push(local);
      if (local !== undefined && ckptPath !== 'last') break;
    }
    if (pulled.length === 0 && isRemoteUrl(ckptPath)) {
      throw new Error(`ckptPath ${ckptPath}: no ModelCheckpoint writes below this URL; give the callback this prefix as its dirpath to resume from it`);
    }
    return pulled;
  }

  request(path: string, options: SaveOptions): Promise<string> {
    if (typeof path !== 'string' || path.length === 0 || path.includes('\0')) {
      return Promise.reject(new Error(`saveCheckpoint: path must be a non-empty string without NUL bytes, got ${describeValue(path)}`));
    }
    if (options.weightsOnly !== undefined && typeof options.weightsOnly !== 'boolean') {
      return Promise.reject(new Error(`saveCheckpoint: weightsOnly must be a boolean, got ${describeValue(options.weightsOnly)}`));
    }
    const module = this.loop.module;
    // Checked before queuing: a request that can never be captured must not sit in the queue.
    if (module === undefined) return Promise.reject(new Error('saveCheckpoint: the trainer has no module yet; call fit() first'));
    const promise = new Promise<string>((resolvePath, reject) => {
      this.requests.push({ path: resolve(path), weightsOnly: options.weightsOnly ?? false, settle: { resolve: resolvePath, reject } });
    });
    // A caller that ignores the promise must not crash the process: failures surface through fit().
    promise.catch(() => undefined);
    if (!this.loop.inFitLoop || this.loopOver) {
      return this.captureRequested().then(() => this.drain()).then(() => promise);
    }
    return promise;
  }

  /** Snapshots every pending request and queues its write. */
  private async captureRequested(): Promise<void> {
    const module = this.loop.module;
    const requests = this.requests;
    this.requests = [];
    const run = this.captureLock.then(() => (requests.length === 0 ? undefined : this.captureEach(requests, module!)));
    this.captureLock = run.catch(() => undefined);
    try {
      await run;
    } catch (error) {
      // Requests after the one that failed are never captured: settle them, nobody may wait forever.
      for (const request of requests) request.settle.reject(error);
      throw error;
    }
  }

  private async captureEach(requests: Request[], module: LightningModule): Promise<void> {
    for (const request of requests) {
      // One write in flight: the next snapshot waits, so at most two states are alive at once.
      await this.inFlight;
      // Do not train on as if checkpointing worked: a failed write stops the run at the next save.
      if (this.failure !== undefined) {
        request.settle.reject(this.failure.error);
        throw this.failure.error;
      }
      const state = await captureState(this.loop, module, this.trainLoader, request.weightsOnly);
      this.pendingWrites += 1;
      this.inFlight = this.write(request, state).finally(() => (this.pendingWrites -= 1));
    }
  }

  private async write(request: Request, state: CheckpointState): Promise<void> {
    try {
      const { records, metadata } = encodeState(state);
      await writeCheckpointFile(request.path, records, metadata);
      this.written.push(request.path);
      request.settle.resolve(request.path);
    } catch (cause) {
      // Name the checkpoint: a bare ENOSPC or EFBIG does not say which save failed.
      const code = (cause as NodeJS.ErrnoException).code;
      const error = Object.assign(new Error(`checkpoint save to ${request.path} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause }), code === undefined ? {} : { code });
      this.failure ??= { error };
      request.settle.reject(error);
    } finally {
      // Tensors a failed write never reached are still owned by the snapshot.
      for (const t of [...state.weights.values(), ...(state.optimizer?.weights ?? [])]) if (!t.isDisposed) t.dispose();
    }
  }

  /** Waits until every queued write is durable; rethrows the first write failure. */
  async drain(): Promise<void> {
    // A capture still running has not queued its write yet: wait for it first.
    await this.captureLock;
    await this.inFlight;
    if (this.failure !== undefined) throw this.failure.error;
  }

  /**
   * Claims this run's checkpoint folders (refusing folders another live trainer uses) and removes
   * temp files a crash left there.
   */
  private async claimFolders(): Promise<void> {
    for (const dir of this.checkpointDirs()) {
      this.locks.push(await DirLock.acquire(dir, this.lockToken, this.warn));
      await cleanupTempFiles(dir);
    }
  }

  private async releaseFolders(): Promise<void> {
    const locks = this.locks.splice(0);
    for (const lock of locks) await lock.release();
  }

  /** Resolves `ckptPath` ('last', 'best' or a file), verifies it and restores it. Returns the file. */
  private async restore(ckptPath: string, module: LightningModule): Promise<string | undefined> {
    let path: string;
    let state: CheckpointState;
    if (ckptPath === 'last') {
      const remote = await this.pullRemote('last');
      const found = await loadLast(this.checkpointDirs(true), this.warn, remote);
      // Lightning's rule: no checkpoint at all is a first launch (one command serves it and every
      // restart). Files that all fail verification are not: that stays an error.
      // Without any checkpointing callback there is nowhere to look, now or on a restart: an error.
      if (found === undefined && remote.length === 0 && this.resumeWhere() !== '' && (await this.noCheckpointFiles())) {
        this.warn(`cairn: ckptPath 'last': no checkpoint found in ${this.resumeWhere()}; training from scratch`);
        return undefined;
      }
      if (found === undefined) throw new Error(`ckptPath 'last': no valid checkpoint found in ${this.resumeWhere() || '(no checkpoint folder: add a ModelCheckpoint)'}`);
      ({ path, state } = found);
    } else if (ckptPath === 'best') {
      path = await this.bestPath();
      state = await loadCheckpoint(path);
    } else if (isRemoteUrl(ckptPath)) {
      path = (await this.pullRemote(ckptPath))[0]!;
      state = await loadCheckpoint(path);
    } else {
      path = resolve(ckptPath);
      if ((await stat(path)).isDirectory()) throw new Error(`ckptPath ${path} is a folder: give a checkpoint file, 'last' or 'best'`);
      state = await loadCheckpoint(path);
    }
    if (state.weightsOnly) {
      throw new Error(`${path} is a weights-only checkpoint: resuming needs a full checkpoint (saved without saveWeightsOnly). Load its weights for inference with LightningModule.loadFromCheckpoint.`);
    }
    await restoreState(this.loop, module, this.trainLoader, state, path, this.warn);
    return path;
  }

  /**
   * Loads the weights of `ckptPath` ('last', 'best' or a file) into `module` for validate, test or
   * predict (no optimizer, loop or callback state: nothing trains). Returns the file.
   */
  async loadWeights(ckptPath: string, module: LightningModule): Promise<string> {
    let path: string;
    if (ckptPath === 'last') {
      const found = await loadLast(this.checkpointDirs(true), this.warn, await this.pullRemote('last'));
      if (found === undefined) throw new Error(`ckptPath 'last': no valid checkpoint found in ${this.resumeWhere() || '(no checkpoint folder: add a ModelCheckpoint)'}`);
      path = found.path;
      disposeState(found.state);
    } else {
      path = ckptPath === 'best' ? await this.bestPath() : isRemoteUrl(ckptPath) ? (await this.pullRemote(ckptPath))[0]! : resolve(ckptPath);
    }
    const state = await loadCheckpoint(path, { optimizer: false });
    try {
      loadWeights(module, state.weights, path);
    } finally {
      disposeState(state);
    }
    return path;
  }

  /** Where 'last' looks, for its error message. */
  private resumeWhere(): string {
    const remote = this.loop.checkpointCallbacks.filter((c) => c.stagingDir !== undefined).map((c) => c.dirpath!);
    return [...this.checkpointDirs(true), ...remote].join(', ');
  }

  /** True when no checkpoint folder holds a single *.ckpt file. */
  private async noCheckpointFiles(): Promise<boolean> {
    for (const dir of this.checkpointDirs(true)) if ((await findCheckpointFiles(dir)).length > 0) return false;
    return true;
  }

  /** The first checkpoint callback's best path: in memory, else as recorded in the newest checkpoint. */
  private async bestPath(): Promise<string> {
    const callback = this.loop.checkpointCallbacks[0];
    if (callback === undefined) throw new Error("ckptPath 'best' needs a ModelCheckpoint callback");
    if (callback.bestModelPath !== '') return isRemoteUrl(callback.bestModelPath) ? (await this.pullRemote(callback.bestModelPath))[0]! : callback.bestModelPath;
    const last = await loadLast(this.checkpointDirs(true), this.warn, await this.pullRemote('last'));
    // The callback reads its own saved state: this machinery knows no callback's fields.
    const recorded = last === undefined ? undefined : callback.bestModelPathIn(last.state.callbacks[callback.stateKey] ?? {});
    if (last !== undefined) disposeState(last.state);
    if (recorded === undefined || recorded === '') throw new Error("ckptPath 'best': no best checkpoint is known yet (no monitored checkpoint was saved)");
    if (isRemoteUrl(recorded)) return (await this.pullRemote(recorded))[0]!;
    return resolve(dirname(last!.path), recorded);
  }
}

function disposeState(state: CheckpointState): void {
  for (const t of [...state.weights.values(), ...(state.optimizer?.weights ?? [])]) if (!t.isDisposed) t.dispose();
}
