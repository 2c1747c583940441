import { randomUUID } from 'node:crypto';
import { join, relative, resolve, sep } from 'node:path';
import { Checkpoint } from '../checkpoint.js';
import type { Stage } from '../hooks.js';
import type { CheckpointState } from '../../checkpoint/checkpoint-state.js';
import type { MetricMap } from '../../metrics/metric-store.js';
import type { LightningModule } from '../../module/lightning-module.js';
import type { MonitorMode } from '../../monitor/mode.js';
import type { Trainer } from '../../trainer/trainer.js';
import type { CheckpointStore } from '../../checkpoint/store/checkpoint-store.js';
import { LocalFolderStore } from '../../checkpoint/store/local-store.js';
import { isRemoteUrl, openRemoteStorage, type RemoteStorage } from '../../checkpoint/store/remote-storage.js';
import { RemoteCheckpointStore } from '../../checkpoint/store/remote-store.js';
import { describeMetadata } from '../../checkpoint/state-codec.js';
import * as names from './filename.js';
import { formatNumber } from './format-spec.js';
import { K_BEST_YAML_NAME, kBestYamlText, writeKBestYaml } from './k-best-yaml.js';
import { MissingMonitorCheck, monitorCandidates } from './monitor-candidates.js';
import { REMOTE_NAMING_ROOT, resolveCheckpointOptions, type ModelCheckpointOptions, type ResolvedCheckpointOptions } from './options.js';
import { markCheckpoint, type FileRole } from './ownership.js';
import { Retention } from './retention.js';
import { removeStrayFiles, retireResumedFile, type ResumedFile } from './resume-cleanup.js';
import { loadStateDict, toStateDict } from './saved-state.js';
import { epochTriggerDue, savesOnTrainEpochEnd } from './schedule.js';
import { admit, effectiveK, entersTopK, initialTopK, popEvicted, type TopKState } from './top-k.js';
import { CheckpointWrites } from './writes.js';

/**
 * Saves checkpoints during fit: the k best by a monitored metric, periodically (epochs, steps or
 * time), `last.ckpt`, and on error. Lightning 2.6's ModelCheckpoint with its names camelCased;
 * beyond it: no more than k ranked files after any number of resumes, best_k_models.yaml kept
 * current, a minimum interval between saves, and synchronous saves on request.
 *
 * Read as Keras's: the hooks ask "should a save happen here?", then `saveAt` does it.
 */
export class ModelCheckpoint extends Checkpoint {
  static readonly CHECKPOINT_JOIN_CHAR = names.CHECKPOINT_JOIN_CHAR;
  static readonly CHECKPOINT_EQUALS_CHAR = names.CHECKPOINT_EQUALS_CHAR;
  /** Template of the `last` file (may hold fields, e.g. `'{epoch}-last'`). A subclass may override it. */
  static CHECKPOINT_NAME_LAST = names.CHECKPOINT_NAME_LAST;
  static readonly FILE_EXTENSION = names.FILE_EXTENSION;
  static readonly STARTING_VERSION = names.STARTING_VERSION;

  override readonly monitorsMetrics = true;
  readonly monitor: string | undefined;
  readonly mode: MonitorMode;
  readonly saveTopK: number;
  readonly saveLast: boolean | 'link';
  readonly filename: string | undefined;
  /** Folder of the checkpoints: the given one, else `<trainer.logDir>/checkpoints` from setup on. */
  dirpath: string | undefined;
  lastModelPath = '';
  /** best_k_models.yaml once written (kept current after every top-k change). */
  kBestYamlPath: string | undefined;

  private readonly options: ResolvedCheckpointOptions;
  private topK: TopKState;
  private readonly writes: CheckpointWrites;
  /** Run lineage: new for a fresh fit, restored on resume; marks which files this run wrote. */
  private run = '';
  private restoredSameDir = false;
  /** The file this fit resumed from, when it is one of this run lineage's own ranked or last files in dirpath. */
  private resumedOwn: ResumedFile | undefined;
  private lastGlobalStepSaved = 0;
  /** A file was requested in this fit (else `last` is written once at train end, Lightning 2.6). */
  private savedThisFit = false;
  private lastTimeChecked: number | undefined;
  private lastSaveTime = -Infinity;
  /** A step save waiting for the validation that follows its step. */
  private deferredStep = -1;
  private validationRan = false;
  private readonly missingMonitor: MissingMonitorCheck | undefined;
  private readonly retention: Retention;
  /** A remote follow-up that makes a reported file (the `last` copy, best_k_models.yaml) failed for good. */
  private followUpFailure: Error | undefined;
  /** Where the files go: the folder, or the remote prefix with its staging folder (from setup on). */
  private store: CheckpointStore | undefined;
  /** For a URL dirpath, opened at construction so that an unknown scheme or bad storage option fails there. */
  private readonly remoteStorage: RemoteStorage | undefined;

  constructor(options: ModelCheckpointOptions = {}) {
    super();
    this.options = resolveCheckpointOptions(options);
    ({ monitor: this.monitor, mode: this.mode, saveTopK: this.saveTopK, saveLast: this.saveLast, filename: this.filename, dirpath: this.dirpath } = this.options);
    this.topK = initialTopK(this.mode);
    this.writes = new CheckpointWrites(this.options.print);
    this.retention = new Retention(this.options.retention);
    this.missingMonitor = this.monitor === undefined ? undefined : new MissingMonitorCheck(this.monitor, this.options.print);
    this.remoteStorage = this.options.remote === undefined ? undefined : openRemoteStorage(this.dirpath!, this.options.remote.storage);
  }

  /** For a URL dirpath: the local folder files are written to before they are uploaded (set at setup). */
  override get stagingDir(): string | undefined {
    return this.store instanceof RemoteCheckpointStore ? this.store.stagingDir : undefined;
  }

  override bestModelPathIn(saved: Record<string, unknown>): string | undefined {
    return typeof saved.bestModelPath === 'string' && saved.bestModelPath !== '' ? saved.bestModelPath : undefined;
  }

  get bestModelPath(): string {
    return this.topK.bestModelPath;
  }
  get bestModelScore(): number | undefined {
    return this.topK.bestModelScore;
  }
  get bestKModels(): Readonly<Record<string, number>> {
    return this.topK.bestKModels;
  }
  get kthBestModelPath(): string {
    return this.topK.kthBestModelPath;
  }
  get kthValue(): number {
    return this.topK.kthValue;
  }
  get currentScore(): number | undefined {
    return this.topK.currentScore;
  }
  get everyNEpochs(): number {
    return this.options.everyNEpochs;
  }

  /** Unique per configuration, so several ModelCheckpoints keep separate state in one checkpoint. */
  override get stateKey(): string {
    const { monitor, mode, everyNTrainSteps, everyNEpochs, trainTimeInterval } = this.options;
    return `ModelCheckpoint${JSON.stringify({ monitor: monitor ?? null, mode, everyNTrainSteps, everyNEpochs, trainTimeInterval: trainTimeInterval ?? null })}`;
  }

  /** Lightning's `format_checkpoint_name`, with this callback's template, folder and autoInsertMetricName. */
  formatCheckpointName(metrics: Readonly<Record<string, number>>, options: { filename?: string; ver?: number; prefix?: string } = {}): string {
    const { filename = this.filename, ver, prefix } = options;
    const autoInsertMetricName = this.options.autoInsertMetricName;
    if (this.remoteStorage === undefined) return names.formatPathInside(metrics, { filename, ver, prefix, autoInsertMetricName, dirpath: this.dirpath });
    // A URL: named inside a stand-in folder (same escape checks), then spelled under the prefix.
    const local = names.formatPathInside(metrics, { filename, ver, prefix, autoInsertMetricName, dirpath: REMOTE_NAMING_ROOT });
    return `${this.dirpath!}/${relative(REMOTE_NAMING_ROOT, local).split(sep).join('/')}`;
  }

  /** Writes bestKModels (path: score) as YAML, atomically; default `<dirpath>/best_k_models.yaml`. */
  async toYaml(path?: string): Promise<string> {
    if (path === undefined && this.store !== undefined) {
      const target = this.defaultYamlPath();
      await this.store.writeText(target, kBestYamlText(this.topK.bestKModels));
      return target;
    }
    const target = resolve(path ?? this.defaultYamlPath());
    await writeKBestYaml(target, this.topK.bestKModels);
    return target;
  }

  override stateDict(): Record<string, unknown> {
    return toStateDict(this.topK, { monitor: this.monitor, dirpath: this.dirpath, lastModelPath: this.lastModelPath, run: this.run, retention: this.retention.stateDict() });
  }

  override loadStateDict(state: Record<string, unknown>): void {
    const current = { monitor: this.monitor, dirpath: this.dirpath, lastModelPath: this.lastModelPath, run: this.run };
    const { sameDir, book } = loadStateDict(state, this.topK, current, this.options.print);
    ({ lastModelPath: this.lastModelPath, run: this.run } = book);
    if (sameDir) this.retention.loadStateDict(book.retention);
    this.restoredSameDir = sameDir;
  }

  // ---- hooks -------------------------------------------------------------------------------

  override async setup(trainer: Trainer, _module: LightningModule, stage: Stage): Promise<void> {
    if (stage !== 'fit') {
      // validate/test/predict write nothing, but their ckptPath 'last' in a new Trainer (e.g.
      // `cairn test --ckpt-path last`) searches this folder: the one fit would have written to.
      if (this.dirpath === undefined && (this.options.dirpath === undefined || !isRemoteUrl(this.options.dirpath))) this.dirpath = this.options.dirpath ?? resolve(trainer.logDir, 'checkpoints');
      return;
    }
    this.dirpath = this.options.dirpath ?? resolve(trainer.logDir, 'checkpoints');
    this.store = this.openStore(trainer);
    await this.store.claim(randomUUID(), this.options.print);
    this.run = randomUUID();
    this.followUpFailure = undefined;
    this.restoredSameDir = false;
    this.resumedOwn = undefined;
    this.lastGlobalStepSaved = 0;
    this.savedThisFit = false;
    this.deferredStep = -1;
    this.validationRan = false;
    this.lastSaveTime = -Infinity;
    this.retention.start(this.wallClock());
    if (this.saveTopK !== 0 && !trainer.options.fastDevRun && (await this.store.list()).length > 0) {
      this.options.print(`ModelCheckpoint: checkpoint directory ${this.dirpath} exists and is not empty.`);
    }
  }

  override async onTrainStart(trainer: Trainer): Promise<void> {
    this.lastTimeChecked = this.now();
    if (trainer.ckptPath === undefined || !this.restoredSameDir) return;
    this.resumedOwn = await removeStrayFiles({ ...this.folder(), stateKey: this.stateKey, run: this.run }, this.resumedFrom(trainer)!);
    if (this.monitor !== undefined && this.saveTopK !== 0) this.kBestYamlPath = await this.toYaml();
  }

  override async onTrainEpochStart(): Promise<void> {
    this.throwIfUploadFailed();
    await this.waitIfSync();
  }

  override async onTrainBatchStart(): Promise<void> {
    this.throwIfUploadFailed();
    await this.waitIfSync();
  }

  override async onTrainBatchEnd(trainer: Trainer): Promise<void> {
    if (this.skip(trainer) || !this.stepTriggerDue(trainer)) return;
    // A save whose step is followed by a validation waits for it: its name and ranking then use
    // the fresh metrics, not the previous validation's (Lightning #20185).
    // A save triggered by this step waits for the validation that follows it, so its name and
    // ranking use the fresh validation metrics (Lightning #20185).
    if (trainer.validationFollowsStep()) this.deferredStep = trainer.globalStep;
    else await this.saveAt(trainer, true, 'always');
  }

  override async onValidationEnd(trainer: Trainer): Promise<void> {
    if (trainer.sanityChecking) return;
    this.validationRan = true;
    if (this.skip(trainer)) return;
    if (this.deferredStep === trainer.globalStep) {
      this.deferredStep = -1;
      await this.saveAt(trainer, true, 'always');
    } else if (!savesOnTrainEpochEnd(trainer, this.options)) {
      await this.saveAt(trainer, epochTriggerDue(trainer, this.options), 'after-save');
    }
  }

  override async onTrainEpochEnd(trainer: Trainer): Promise<void> {
    if (this.skip(trainer) || !savesOnTrainEpochEnd(trainer, this.options)) return;
    await this.saveAt(trainer, epochTriggerDue(trainer, this.options), 'after-save');
  }

  override async onTrainEnd(trainer: Trainer): Promise<void> {
    // Lightning 2.6: a fit that never saved still leaves its `last` file.
    if (this.saveLast !== false && !this.savedThisFit && !this.skip(trainer)) await this.saveLastCheckpoint(trainer, monitorCandidates(trainer));
    await this.waitIfSync();
  }

  override async onFitEnd(): Promise<void> {
    // Every write is durable by now (the trainer drained them) and, for a remote dirpath, fit
    // waits for the uploads (a failed one fails it); then deletions and the YAML are finished
    // so that fit() resolves with the folder in its final state.
    await this.store?.committed();
    await this.writes.followUpsDone();
    this.throwIfUploadFailed();
    const resumed = this.resumedOwn;
    this.resumedOwn = undefined;
    if (resumed !== undefined && this.dirpath !== undefined) await retireResumedFile(resumed, this.folder());
  }

  override async teardown(_trainer: Trainer, _module: LightningModule, stage: Stage): Promise<void> {
    if (stage !== 'fit') return;
    // Uploads still running (a failing fit) finish or fail before the prefix is released.
    await this.store?.committed().catch(() => undefined);
    await this.store?.release();
  }

  /**
   * For a URL dirpath, the local copy to resume from: `'last'` is the newest full checkpoint in
   * the bucket, a URL below the prefix that file; both are downloaded into the staging folder
   * (verified when loaded). Undefined when `ckptPath` is not this callback's to resolve.
   */
  override async resolveResumePath(ckptPath: string): Promise<string | undefined> {
    const store = this.store;
    if (store === undefined || !store.isRemote) return undefined;
    if (ckptPath !== 'last') return store.contains(ckptPath) ? store.fetch(ckptPath) : undefined;
    let newest: { path: string; globalStep: number } | undefined;
    for (const path of await store.list()) {
      let info: { weightsOnly: boolean; globalStep: number };
      try {
        info = describeMetadata(path, await store.readMetadata(path));
      } catch (error) {
        this.options.print(`cairn: skipping unreadable checkpoint ${path} (${(error as Error).message})`);
        continue;
      }
      if (!info.weightsOnly && (newest === undefined || info.globalStep > newest.globalStep)) newest = { path, globalStep: info.globalStep };
    }
    return newest === undefined ? undefined : store.fetch(newest.path);
  }
  override async onException(trainer: Trainer, _module: LightningModule, error: unknown): Promise<void> {
    if (!this.options.saveOnException || this.skip(trainer) || this.tooSoon()) return;
    const candidates = monitorCandidates(trainer);
    // The regular name, as Lightning 2.6 (versioned rather than overwriting a file it would replace).
    const path = await this.freePath(candidates, undefined);
    this.request(trainer, path, 'exception');
    await this.saveLastCheckpoint(trainer, candidates);
    this.lastSaveTime = this.now();
    const name = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    this.options.print(`ModelCheckpoint: an error was raised (${name}); saving checkpoint to ${path}`);
  }

  override onSaveCheckpoint(_trainer: Trainer, _module: LightningModule, checkpoint: CheckpointState): void {
    const files = this.writes.pendingFiles();
    if (files.length > 0) markCheckpoint(checkpoint, this.stateKey, { run: this.run, files });
  }

  /** Monotonic milliseconds; tests override it to drive time-based triggers. */
  protected now(): number {
    return performance.now();
  }

  /** Wall-clock milliseconds (keepEveryNHours spans resumes, so it cannot be monotonic); tests override it. */
  protected wallClock(): number {
    return Date.now();
  }

  // ---- should a save happen? -----------------------------------------------------------------

  private skip(trainer: Trainer): boolean {
    return !trainer.isRealTraining || this.lastGlobalStepSaved === trainer.globalStep;
  }

  /** everyNTrainSteps or trainTimeInterval fired at the step that just ended. */
  private stepTriggerDue(trainer: Trainer): boolean {
    const { everyNTrainSteps, trainTimeInterval } = this.options;
    const stepDue = everyNTrainSteps >= 1 && trainer.globalStep % everyNTrainSteps === 0;
    const now = this.now();
    const timeDue = trainTimeInterval !== undefined && this.lastTimeChecked !== undefined && now - this.lastTimeChecked >= trainTimeInterval;
    if (timeDue) this.lastTimeChecked = now;
    return stepDue || timeDue;
  }

  private tooSoon(): boolean {
    return this.now() - this.lastSaveTime < this.options.minimumInterval;
  }

  // ---- save ----------------------------------------------------------------------------------

  /**
   * One save point: the ranked save (when `ranked`), then `last`. Lightning 2.6's rule for
   * `last`: at step and time triggers always; at epoch points ('after-save') only when the ranked
   * save happened here, or in 'link' mode once anything was saved (the link follows the newest).
   */
  private async saveAt(trainer: Trainer, ranked: boolean, last: 'always' | 'after-save'): Promise<void> {
    if (this.tooSoon()) {
      this.printVerbose(`Epoch ${trainer.currentEpoch}, global step ${trainer.globalStep}: skipped, less than minimumInterval after the previous save`);
      return;
    }
    const candidates = monitorCandidates(trainer);
    let saved = ranked && (await this.saveRanked(trainer, candidates));
    const lastDue = last === 'always' || saved || (this.saveLast === 'link' && this.writes.newestRequest !== undefined);
    if (lastDue) saved = (await this.saveLastCheckpoint(trainer, candidates)) || saved;
    if (saved) this.lastSaveTime = this.now();
  }

  private async saveRanked(trainer: Trainer, candidates: MetricMap): Promise<boolean> {
    if (this.saveTopK === 0) return false;
    if (this.monitor === undefined) return this.saveNewest(trainer, candidates);
    this.missingMonitor?.check(candidates, this.validationRan);
    const current = candidates[this.monitor];
    // Lightning takes epoch and step from the monitor candidates (a logged `epoch` wins).
    const at = `Epoch ${candidates.epoch!}, global step ${candidates.step!}`;
    const enters = entersTopK(this.topK, this.saveTopK, this.mode, current);
    const wall = this.wallClock();
    if (!enters && !this.retention.wantsSave(trainer.globalStep, wall)) {
      this.printVerbose(`${at}: '${this.monitor}' was not in top ${this.saveTopK}`);
      return false;
    }
    const k = effectiveK(this.topK, this.saveTopK);
    const evicted = enters ? popEvicted(this.topK, k) : undefined;
    const path = await this.freePath(candidates, evicted !== undefined && !this.retention.keeps(evicted) ? evicted : undefined);
    if (enters) {
      admit(this.topK, k, this.mode, path, current!);
      // The score as ranked (NaN already replaced by the worst value, so Lightning prints 'inf'),
      // formatted as Python's `:0.5f` formats it.
      const score = (value: number): string => formatNumber(value, '0.5f');
      this.printVerbose(`${at}: '${this.monitor}' reached ${score(this.topK.currentScore!)} (best ${score(this.topK.bestModelScore!)}), saving model to '${path}' as top ${k}`);
    } else {
      this.printVerbose(`${at}: '${this.monitor}' was not in top ${this.saveTopK}; saving model to '${path}' for retention`);
    }
    const gone = this.unkept([evicted, ...this.retention.record(path, trainer.globalStep, wall)], path);
    const done = this.request(trainer, path, 'topk');
    const ranking = { ...this.topK.bestKModels };
    this.writes.afterDurable(done, async () => {
      for (const file of gone) if (this.shouldRemove(trainer, file, path)) await this.store!.remove(file);
      await this.mustSucceed(() => this.store!.writeText(this.defaultYamlPath(), kBestYamlText(ranking)));
      this.kBestYamlPath = this.defaultYamlPath();
    });
    return true;
  }

  /** No monitor: the newest checkpoint is the best; with saveTopK 1 the previous one goes. */
  private async saveNewest(trainer: Trainer, candidates: MetricMap): Promise<boolean> {
    const previous = this.topK.bestModelPath;
    const path = await this.freePath(candidates, this.retention.keeps(previous) ? undefined : previous);
    this.topK.bestModelPath = path;
    const dropped = this.retention.record(path, trainer.globalStep, this.wallClock());
    // saveTopK -1 keeps every file; 1 keeps the newest, plus what retention keeps.
    const gone = this.saveTopK === 1 ? this.unkept([previous, ...dropped], path) : [];
    const done = this.request(trainer, path, 'topk');
    if (gone.length > 0) {
      this.writes.afterDurable(done, async () => {
        for (const file of gone) if (this.shouldRemove(trainer, file, path)) await this.store!.remove(file);
      });
    }
    return true;
  }

  private async saveLastCheckpoint(trainer: Trainer, candidates: MetricMap): Promise<boolean> {
    if (this.saveLast === false) return false;
    const template = (this.constructor as typeof ModelCheckpoint).CHECKPOINT_NAME_LAST;
    const format = (ver: number | undefined): string => this.formatCheckpointName(candidates, { filename: template, ver });
    const path = this.options.enableVersionCounter ? await names.firstFreeName(format, this.lastModelPath, (p) => this.taken(p)) : format(undefined);
    const previous = this.lastModelPath;
    // Set before the save: the checkpoint's own state records it as the last one.
    this.lastModelPath = path;
    let done: Promise<unknown>;
    const target = this.writes.newestRequest;
    if (this.saveLast === 'link' && target !== undefined && target.path !== path && this.saveTopK !== 0) {
      // Linked only once the target is durable: the link never points at a missing file.
      done = target.done;
      this.writes.afterDurable(done, () => this.mustSucceed(() => this.store!.link(target.path, path)));
    } else {
      done = this.request(trainer, path, 'last');
    }
    if (previous !== '' && this.shouldRemove(trainer, previous, path)) this.writes.afterDurable(done, () => this.store!.remove(previous));
    return true;
  }

  private request(trainer: Trainer, path: string, role: FileRole): Promise<string> {
    this.lastGlobalStepSaved = trainer.globalStep;
    this.savedThisFit = true;
    return this.writes.request(trainer, this.store!, path, role, this.options.saveWeightsOnly);
  }

  // ---- helpers -------------------------------------------------------------------------------

  /** The formatted name, versioned while taken (unless it is `reusable`, the file being replaced). */
  private async freePath(candidates: MetricMap, reusable: string | undefined): Promise<string> {
    const format = (ver: number | undefined): string => this.formatCheckpointName(candidates, { ver });
    return this.options.enableVersionCounter ? names.firstFreeName(format, reusable, (p) => this.taken(p)) : format(undefined);
  }

  /** On disk, or requested and still being written. */
  private async taken(path: string): Promise<boolean> {
    return this.writes.isPending(path) || (await this.store!.exists(path));
  }

  /**
   * Lightning's rule, and never a file the run resumed from or one outside dirpath (a file from
   * another run or a user's copy elsewhere stays).
   */
  private shouldRemove(trainer: Trainer, previous: string, current: string): boolean {
    if (previous === current || this.store === undefined) return false;
    const resumedFrom = this.resumedFrom(trainer);
    if (resumedFrom !== undefined && this.store.normalize(previous) === resumedFrom) return false;
    return this.store.contains(previous);
  }

  /** The file the fit resumed from, in the store's spelling (the trainer holds its local copy's path). */
  private resumedFrom(trainer: Trainer): string | undefined {
    if (trainer.ckptPath === undefined) return undefined;
    return this.store?.pathOfLocal(trainer.ckptPath) ?? resolve(trainer.ckptPath);
  }

  private openStore(trainer: Trainer): CheckpointStore {
    const remote = this.options.remote;
    if (remote === undefined || this.remoteStorage === undefined) return new LocalFolderStore(this.dirpath!);
    const where = new URL(this.remoteStorage.url);
    const stagingDir = resolve(remote.stagingDir ?? join(trainer.logDir, 'staging', where.host, ...where.pathname.split('/').filter(Boolean)));
    return new RemoteCheckpointStore(this.remoteStorage, stagingDir, { keepLocal: remote.keepLocal, retry: remote.retry, print: this.options.print });
  }

  /** A failed upload stops training at the next batch: never train on as if the checkpoint were there. */
  private throwIfUploadFailed(): void {
    const failure = this.store?.failure ?? this.followUpFailure;
    if (failure !== undefined) throw failure;
  }

  /**
   * Runs a follow-up whose file the callback reports. Locally a failure is logged, as before; in
   * a bucket (where the store has already retried) it also fails the fit at the next hook, so a
   * run never ends naming a `last` copy or YAML that is not there.
   */
  private async mustSucceed(operation: () => Promise<void>): Promise<void> {
    try {
      await operation();
    } catch (error) {
      if (this.store?.isRemote === true) this.followUpFailure ??= error instanceof Error ? error : new Error(String(error));
      throw error;
    }
  }

  /** Of the files a save lets go, those nothing keeps any longer (not ranked, not best, not retained). */
  private unkept(files: readonly (string | undefined)[], saved: string): string[] {
    const kept = (file: string): boolean => file === saved || file in this.topK.bestKModels || file === this.topK.bestModelPath || this.retention.keeps(file);
    return [...new Set(files)].filter((file): file is string => file !== undefined && file !== '' && !kept(file));
  }

  /** What the restored state keeps, for the resume cleanup. */
  private folder(): { store: CheckpointStore; kept: string[]; saveTopK: number; print: (line: string) => void; warn: (line: string) => void } {
    const kept = [...Object.keys(this.topK.bestKModels), this.topK.bestModelPath, this.lastModelPath, ...this.retention.kept()];
    return { store: this.store!, kept, saveTopK: this.saveTopK, print: (line) => this.printVerbose(line), warn: this.options.print };
  }

  private defaultYamlPath(): string {
    if (this.dirpath === undefined) throw new Error('ModelCheckpoint.toYaml: no dirpath yet (it is resolved when fit starts); pass a path');
    return this.remoteStorage === undefined ? join(this.dirpath, K_BEST_YAML_NAME) : `${this.dirpath}/${K_BEST_YAML_NAME}`;
  }

  /**
   * async: false waits for the last requested file and for what follows it (the evicted file's
   * deletion, best_k_models.yaml, the last link), so training goes on with the folder final.
   */
  private async waitIfSync(): Promise<void> {
    if (!this.options.async) await this.writes.allDone();
  }

  private printVerbose(line: string): void {
    if (this.options.verbose) this.options.print(line);
  }
}
