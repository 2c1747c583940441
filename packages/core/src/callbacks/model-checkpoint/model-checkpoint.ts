import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { Callback } from '../../callback/callback.js';
import type { Stage } from '../../callback/hooks.js';
import type { CheckpointState } from '../../checkpoint/checkpoint-state.js';
import { findCheckpointFiles } from '../../checkpoint/file/index.js';
import type { MetricMap } from '../../metrics/metric-store.js';
import type { LightningModule } from '../../module/lightning-module.js';
import type { CheckpointReport } from '../../trainer/fit-result.js';
import type { Trainer } from '../../trainer/trainer.js';
import * as names from './filename.js';
import { formatNumber } from './format-spec.js';
import { K_BEST_YAML_NAME, writeKBestYaml } from './k-best-yaml.js';
import { linkAtomically, pathExists, removeFile } from './files.js';
import type { MonitorMode } from '../../monitor/mode.js';
import { resolveCheckpointOptions, type ModelCheckpointOptions, type ResolvedCheckpointOptions } from './options.js';
import { findOwnFiles, isInside, markCheckpoint, type FileRole } from './ownership.js';
import { epochTriggerDue, savesOnTrainEpochEnd, validationFollowsStep } from './schedule.js';
import { admit, effectiveK, entersTopK, initialTopK, popEvicted, type TopKState } from './top-k.js';

/**
 * Saves checkpoints during fit: the k best by a monitored metric, periodically (epochs, steps or
 * time), `last.ckpt`, and on error. Lightning 2.6's ModelCheckpoint with its names camelCased;
 * beyond it: no more than k ranked files after any number of resumes, best_k_models.yaml kept
 * current, a minimum interval between saves, and synchronous saves on request.
 */
export class ModelCheckpoint extends Callback implements CheckpointReport {
  static CHECKPOINT_JOIN_CHAR = names.CHECKPOINT_JOIN_CHAR;
  static CHECKPOINT_EQUALS_CHAR = names.CHECKPOINT_EQUALS_CHAR;
  /** Template of the `last` file (may hold fields, e.g. `'{epoch}-last'`). */
  static CHECKPOINT_NAME_LAST = names.CHECKPOINT_NAME_LAST;
  static CHECKPOINT_EXCEPTION_PREFIX = names.CHECKPOINT_EXCEPTION_PREFIX;
  static FILE_EXTENSION = names.FILE_EXTENSION;
  static STARTING_VERSION = names.STARTING_VERSION;

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
  /** Run lineage: new for a fresh fit, restored on resume; marks which files this run wrote. */
  private run = '';
  private restoredSameDir = false;
  /** The file this fit resumed from, when it is one of this run lineage's own ranked or last files in dirpath. */
  private resumedOwn: { path: string; role: FileRole } | undefined;
  private lastGlobalStepSaved = 0;
  private lastSaved: { path: string; done: Promise<string> } | undefined;
  private lastTimeChecked: number | undefined;
  private lastSaveTime = -Infinity;
  /** Requested and not yet durable: these names are taken, and each capture is signed with them. */
  private readonly pending = new Map<string, FileRole>();
  /** Deletions, links and YAML updates, run in order once the file they depend on is durable. */
  private followUps: Promise<void> = Promise.resolve();
  private unsynced: Promise<unknown> = Promise.resolve();
  private deferredStep = -1;
  private validationRan = false;
  private readonly warned = new Set<string>();

  constructor(options: ModelCheckpointOptions = {}) {
    super();
    this.options = resolveCheckpointOptions(options);
    ({ monitor: this.monitor, mode: this.mode, saveTopK: this.saveTopK, saveLast: this.saveLast, filename: this.filename, dirpath: this.dirpath } = this.options);
    this.topK = initialTopK(this.mode);
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
    const path = names.formatCheckpointName(metrics, {
      filename: options.filename ?? this.filename,
      ver: options.ver,
      prefix: options.prefix,
      autoInsertMetricName: this.options.autoInsertMetricName,
      dirpath: this.dirpath,
    });
    // A template or metric name with '..' or NUL must never make this callback write elsewhere.
    const template = JSON.stringify(options.filename ?? this.filename ?? names.DEFAULT_FILENAME);
    if (path.includes('\0')) throw new Error(`ModelCheckpoint: filename ${template} renders ${JSON.stringify(path)}, which holds a NUL byte (from a metric name)`);
    if (this.dirpath !== undefined && !isInside(path, this.dirpath)) {
      throw new Error(`ModelCheckpoint: filename ${template} renders ${JSON.stringify(path)}, outside dirpath ${JSON.stringify(this.dirpath)}`);
    }
    return path;
  }

  /** Writes bestKModels (path: score) as YAML, atomically; default `<dirpath>/best_k_models.yaml`. */
  async toYaml(path?: string): Promise<string> {
    const target = resolve(path ?? this.defaultYamlPath());
    await writeKBestYaml(target, this.topK.bestKModels);
    return target;
  }

  override stateDict(): Record<string, unknown> {
    return {
      monitor: this.monitor ?? null,
      bestModelScore: this.topK.bestModelScore ?? null,
      bestModelPath: this.topK.bestModelPath,
      currentScore: this.topK.currentScore ?? null,
      dirpath: this.dirpath ?? null,
      bestKModels: { ...this.topK.bestKModels },
      kthBestModelPath: this.topK.kthBestModelPath,
      kthValue: this.topK.kthValue,
      lastModelPath: this.lastModelPath,
      run: this.run,
    };
  }

  override loadStateDict(state: Record<string, unknown>): void {
    const savedDir = typeof state.dirpath === 'string' ? state.dirpath : this.dirpath;
    const str = (value: unknown, fallback: string): string => (typeof value === 'string' ? value : fallback);
    const num = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);
    this.restoredSameDir = savedDir === this.dirpath;
    if (this.restoredSameDir) {
      const models = state.bestKModels;
      this.topK.bestKModels = typeof models === 'object' && models !== null ? { ...(models as Record<string, number>) } : {};
      this.topK.bestModelScore = num(state.bestModelScore);
      this.topK.currentScore = num(state.currentScore);
      this.topK.kthBestModelPath = str(state.kthBestModelPath, this.topK.kthBestModelPath);
      this.topK.kthValue = num(state.kthValue) ?? this.topK.kthValue;
      this.lastModelPath = str(state.lastModelPath, this.lastModelPath);
      this.run = str(state.run, this.run);
    } else {
      this.options.log(
        `ModelCheckpoint: the dirpath has changed from ${JSON.stringify(savedDir)} to ${JSON.stringify(this.dirpath)}, therefore bestModelScore, ` +
          'kthBestModelPath, kthValue, lastModelPath and bestKModels will not be reloaded. Only bestModelPath will be reloaded.',
      );
    }
    this.topK.bestModelPath = str(state.bestModelPath, this.topK.bestModelPath);
  }

  override async setup(trainer: Trainer, _module: LightningModule, stage: Stage): Promise<void> {
    if (stage !== 'fit') return;
    this.dirpath = this.options.dirpath ?? resolve(trainer.logDir, 'checkpoints');
    this.run = randomUUID();
    this.restoredSameDir = false;
    this.resumedOwn = undefined;
    this.lastGlobalStepSaved = 0;
    this.deferredStep = -1;
    this.validationRan = false;
    this.lastSaveTime = -Infinity;
    if (this.saveTopK !== 0 && !trainer.options.fastDevRun) {
      if ((await findCheckpointFiles(this.dirpath)).length > 0) this.options.log(`ModelCheckpoint: checkpoint directory ${this.dirpath} exists and is not empty.`);
    }
  }

  override async onTrainStart(trainer: Trainer): Promise<void> {
    this.lastTimeChecked = this.now();
    if (trainer.ckptPath !== undefined && this.restoredSameDir) await this.removeStrayFiles(trainer);
  }

  override async onTrainEpochStart(): Promise<void> {
    await this.waitIfSync();
  }

  override async onTrainBatchStart(): Promise<void> {
    await this.waitIfSync();
  }

  override async onTrainBatchEnd(trainer: Trainer): Promise<void> {
    if (this.skip(trainer)) return;
    const { everyNTrainSteps, trainTimeInterval } = this.options;
    const stepDue = everyNTrainSteps >= 1 && trainer.globalStep % everyNTrainSteps === 0;
    const now = this.now();
    const timeDue = trainTimeInterval !== undefined && this.lastTimeChecked !== undefined && now - this.lastTimeChecked >= trainTimeInterval;
    if (!stepDue && !timeDue) return;
    if (timeDue) this.lastTimeChecked = now;
    if (validationFollowsStep(trainer)) this.deferredStep = trainer.globalStep;
    else await this.saveTriggered(trainer, true);
  }

  override async onValidationEnd(trainer: Trainer): Promise<void> {
    if (trainer.sanityChecking) return;
    this.validationRan = true;
    if (this.skip(trainer)) return;
    if (this.deferredStep === trainer.globalStep) {
      this.deferredStep = -1;
      await this.saveTriggered(trainer, true);
    } else if (!savesOnTrainEpochEnd(trainer, this.options)) {
      await this.saveTriggered(trainer, epochTriggerDue(trainer, this.options));
    }
  }

  override async onTrainEpochEnd(trainer: Trainer): Promise<void> {
    if (this.skip(trainer) || !savesOnTrainEpochEnd(trainer, this.options)) return;
    await this.saveTriggered(trainer, epochTriggerDue(trainer, this.options));
  }

  override async onTrainEnd(): Promise<void> {
    await this.waitIfSync();
  }

  override async onFitEnd(): Promise<void> {
    // Every write is durable by now (the trainer drained them): finish deletions and the YAML
    // so that fit() resolves with the folder in its final state.
    await this.followUps;
    await this.retireResumedFile();
  }

  override async onException(trainer: Trainer, _module: LightningModule, error: unknown): Promise<void> {
    if (!this.options.saveOnException || this.skip(trainer) || this.tooSoon()) return;
    const candidates = this.monitorCandidates(trainer);
    const path = await this.freePath(candidates, undefined, (this.constructor as typeof ModelCheckpoint).CHECKPOINT_EXCEPTION_PREFIX);
    this.request(trainer, path, 'exception');
    await this.saveLastCheckpoint(trainer, candidates);
    this.lastSaveTime = this.now();
    const name = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    this.options.log(`ModelCheckpoint: an error was raised (${name}); saving checkpoint to ${path}`);
  }

  override onSaveCheckpoint(_trainer: Trainer, _module: LightningModule, checkpoint: CheckpointState): void {
    if (this.pending.size === 0) return;
    markCheckpoint(checkpoint, this.stateKey, { run: this.run, files: [...this.pending].map(([path, role]) => ({ path, role })) });
  }

  /** Monotonic milliseconds; tests override it to drive time-based triggers. */
  protected now(): number {
    return performance.now();
  }

  private defaultYamlPath(): string {
    if (this.dirpath === undefined) throw new Error('ModelCheckpoint.toYaml: no dirpath yet (it is resolved when fit starts); pass a path');
    return join(this.dirpath, K_BEST_YAML_NAME);
  }

  private skip(trainer: Trainer): boolean {
    return trainer.options.fastDevRun > 0 || trainer.stage !== 'fit' || trainer.sanityChecking || this.lastGlobalStepSaved === trainer.globalStep;
  }

  private tooSoon(): boolean {
    return this.now() - this.lastSaveTime < this.options.minimumInterval;
  }

  /**
   * async: false waits for the last requested file and for what follows it (the evicted file's
   * deletion, best_k_models.yaml, the last link), so training goes on with the folder final.
   */
  private async waitIfSync(): Promise<void> {
    if (this.options.async) return;
    await this.unsynced.catch(() => undefined);
    await this.followUps;
  }

  private log(line: string): void {
    if (this.options.verbose) this.options.log(line);
  }

  private monitorCandidates(trainer: Trainer): MetricMap {
    const metrics = trainer.callbackMetrics;
    return {
      ...metrics,
      epoch: metrics.epoch === undefined ? trainer.currentEpoch : Math.trunc(metrics.epoch),
      step: metrics.step === undefined ? trainer.globalStep : Math.trunc(metrics.step),
    };
  }

  /** One trigger point: the ranked save (when `ranked`) and `last`, unless too soon after the previous save. */
  private async saveTriggered(trainer: Trainer, ranked: boolean): Promise<void> {
    if (this.tooSoon()) {
      this.log(`Epoch ${trainer.currentEpoch}, global step ${trainer.globalStep}: skipped, less than minimumInterval after the previous save`);
      return;
    }
    const candidates = this.monitorCandidates(trainer);
    let saved = ranked && (await this.saveRanked(trainer, candidates));
    saved = (await this.saveLastCheckpoint(trainer, candidates)) || saved;
    if (saved) this.lastSaveTime = this.now();
  }

  private async saveRanked(trainer: Trainer, candidates: MetricMap): Promise<boolean> {
    if (this.saveTopK === 0) return false;
    if (this.monitor === undefined) return this.saveNewest(trainer, candidates);
    if (!(this.monitor in candidates)) {
      const message =
        `ModelCheckpoint(monitor='${this.monitor}') could not find the monitored key in the logged metrics: ` +
        `${Object.keys(candidates).join(', ')}. HINT: did you call this.log('${this.monitor}', value) in the LightningModule?`;
      if (this.validationRan) throw new Error(message);
      if (!this.warned.has(message)) this.options.log(message);
      this.warned.add(message);
    }
    const current = candidates[this.monitor];
    // Lightning takes epoch and step from the monitor candidates (a logged `epoch` wins).
    const at = `Epoch ${candidates.epoch!}, global step ${candidates.step!}`;
    if (!entersTopK(this.topK, this.saveTopK, this.mode, current)) {
      this.log(`${at}: '${this.monitor}' was not in top ${this.saveTopK}`);
      return false;
    }
    const k = effectiveK(this.topK, this.saveTopK);
    const evicted = popEvicted(this.topK, k);
    const path = await this.freePath(candidates, evicted);
    admit(this.topK, k, this.mode, path, current!);
    // The score as ranked (NaN already replaced by the worst value, so Lightning prints 'inf'),
    // formatted as Python's `:0.5f` formats it.
    const score = (value: number): string => formatNumber(value, '0.5f');
    this.log(`${at}: '${this.monitor}' reached ${score(this.topK.currentScore!)} (best ${score(this.topK.bestModelScore!)}), saving model to '${path}' as top ${k}`);
    const done = this.request(trainer, path, 'topk');
    const ranking = { ...this.topK.bestKModels };
    this.afterDurable(done, async () => {
      if (evicted !== undefined && this.shouldRemove(trainer, evicted, path)) await removeFile(evicted);
      await writeKBestYaml(this.defaultYamlPath(), ranking);
      this.kBestYamlPath = this.defaultYamlPath();
    });
    return true;
  }

  /** No monitor: the newest checkpoint is the best; with saveTopK 1 the previous one goes. */
  private async saveNewest(trainer: Trainer, candidates: MetricMap): Promise<boolean> {
    const previous = this.topK.bestModelPath;
    const path = await this.freePath(candidates, previous);
    this.topK.bestModelPath = path;
    const done = this.request(trainer, path, 'topk');
    if (this.saveTopK === 1 && previous !== '' && this.shouldRemove(trainer, previous, path)) this.afterDurable(done, () => removeFile(previous));
    return true;
  }

  private async saveLastCheckpoint(trainer: Trainer, candidates: MetricMap): Promise<boolean> {
    if (this.saveLast === false) return false;
    const template = (this.constructor as typeof ModelCheckpoint).CHECKPOINT_NAME_LAST;
    let path = this.formatCheckpointName(candidates, { filename: template });
    if (this.options.enableVersionCounter) {
      for (let ver = names.STARTING_VERSION; path !== this.lastModelPath && (await this.taken(path)); ver++) {
        path = this.formatCheckpointName(candidates, { filename: template, ver });
      }
    }
    const previous = this.lastModelPath;
    // Set before the save: the checkpoint's own state records it as the last one.
    this.lastModelPath = path;
    let done: Promise<unknown>;
    const target = this.lastSaved;
    if (this.saveLast === 'link' && target !== undefined && target.path !== path && this.saveTopK !== 0) {
      // Linked only once the target is durable: the link never points at a missing file.
      done = target.done;
      this.afterDurable(done, () => linkAtomically(target.path, path));
    } else {
      done = this.request(trainer, path, 'last');
    }
    if (previous !== '' && this.shouldRemove(trainer, previous, path)) this.afterDurable(done, () => removeFile(previous));
    return true;
  }

  /** The formatted name, or with `-v1`, `-v2`, ... while that name is taken (unless it is `reusable`). */
  private async freePath(candidates: MetricMap, reusable: string | undefined, prefix?: string): Promise<string> {
    let path = this.formatCheckpointName(candidates, { prefix });
    if (!this.options.enableVersionCounter) return path;
    for (let ver = names.STARTING_VERSION; path !== reusable && (await this.taken(path)); ver++) {
      path = this.formatCheckpointName(candidates, { prefix, ver });
    }
    return path;
  }

  /** On disk, or requested and still being written. */
  private async taken(path: string): Promise<boolean> {
    return this.pending.has(path) || (await pathExists(path));
  }

  private request(trainer: Trainer, path: string, role: FileRole): Promise<string> {
    this.pending.set(path, role);
    this.lastGlobalStepSaved = trainer.globalStep;
    const done = trainer.saveCheckpoint(path, { weightsOnly: this.options.saveWeightsOnly });
    this.lastSaved = { path, done };
    this.unsynced = done;
    const settled = (): void => {
      this.pending.delete(path);
    };
    done.then(settled, settled);
    return done;
  }

  /** Runs `then` after `done` succeeds, in order with earlier follow-ups; a failed write skips it. */
  private afterDurable(done: Promise<unknown>, then: () => Promise<void>): void {
    this.followUps = this.followUps
      .then(() => done)
      .then(then, () => undefined)
      .catch((error: unknown) => this.options.log(`ModelCheckpoint: ${String(error)}`));
  }

  /**
   * Lightning's rule, and never a file the run resumed from or one outside dirpath (a file from
   * another run or a user's copy elsewhere stays).
   */
  private shouldRemove(trainer: Trainer, previous: string, current: string): boolean {
    if (previous === current) return false;
    if (trainer.ckptPath !== undefined && resolve(previous) === resolve(trainer.ckptPath)) return false;
    return this.dirpath !== undefined && isInside(previous, this.dirpath);
  }

  /**
   * After a resume into the same dirpath: deletes every file this callback wrote in this run
   * lineage (its signature says so) that the restored state no longer keeps, whenever it was
   * written: a file evicted by a save that became durable just before a crash (the crash came
   * before the deletion), one written after the restored checkpoint, or a file an earlier fit
   * resumed from and kept while it ran. The folder then holds exactly what the restored ranking
   * says: never more than k ranked files. Kept: the restored ranking, bestModelPath, the last
   * file, the file resumed from, exception saves; never looked at: other runs' files, a user's
   * own checkpoints, anything outside dirpath.
   */
  private async removeStrayFiles(trainer: Trainer): Promise<void> {
    const dir = this.dirpath!;
    const resumedFrom = resolve(trainer.ckptPath!);
    const keep = new Set([...Object.keys(this.topK.bestKModels), this.topK.bestModelPath, this.lastModelPath, resumedFrom].map((path) => (path === '' ? path : resolve(path))));
    for (const { path, role } of await findOwnFiles(dir, this.stateKey, this.run)) {
      if (path === resumedFrom && role !== 'exception') this.resumedOwn = { path, role };
      const kept = keep.has(path) || role === 'exception' || (role === 'topk' && this.saveTopK === -1);
      if (kept || !isInside(path, dir)) continue;
      await removeFile(path);
      this.log(`ModelCheckpoint: removed ${path}, written by this run but absent from the ranking it resumed with`);
    }
    if (this.monitor !== undefined && this.saveTopK !== 0) this.kBestYamlPath = await this.toYaml();
  }

  /**
   * At the end of a fit that completed: the file it resumed from was never deleted while the fit
   * ran (a failing continuation keeps its starting point). When that file is one of this run
   * lineage's own ranked files that has since left the ranking, or an own `last` file since
   * replaced under another name (a template such as `'{epoch}-last'`), it goes now, as it would
   * have without the interruption: the folder ends with exactly the files of an uninterrupted run.
   */
  private async retireResumedFile(): Promise<void> {
    const resumed = this.resumedOwn;
    this.resumedOwn = undefined;
    if (resumed === undefined || this.dirpath === undefined || !isInside(resumed.path, this.dirpath)) return;
    // saveTopK -1 keeps every ranked file.
    if (resumed.role === 'topk' && this.saveTopK === -1) return;
    const { path } = resumed;
    const kept = new Set([...Object.keys(this.topK.bestKModels), this.topK.bestModelPath, this.lastModelPath].filter((p) => p !== '').map((p) => resolve(p)));
    if (kept.has(path)) return;
    try {
      await removeFile(path);
      this.log(`ModelCheckpoint: removed ${path}, the file this fit resumed from, ${resumed.role === 'last' ? 'replaced by a newer last file' : `no longer among the top ${this.saveTopK}`}`);
    } catch (error) {
      this.options.log(`ModelCheckpoint: ${String(error)}`);
    }
  }
}
