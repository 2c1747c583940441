import { resolve } from 'node:path';
import { Callback, ModelCheckpoint, Trainer } from '../../../src/index.js';
import { carelessness } from './careless-fs.js';
import { loaders, TinyRegressor, weightValues } from '../../helpers/tiny-module.js';

/** What a run told its caller was durable: saves that resolved, minus files it deleted since. */
export interface DurableReport {
  /** Checkpoint path -> the global step it held when its save resolved (the newest, for a path saved again). */
  checkpoints: Map<string, number>;
  /** The entries of the last best_k_models.yaml whose write resolved (undefined if none did). */
  yamlEntries: string[] | undefined;
}

export interface RunResult {
  weights: Record<string, number[]>;
  report: DurableReport;
  error: unknown;
  /** The checkpoint a resumed run started from, and its step. */
  resumedFrom: string | undefined;
  resumedStep: number;
}

/** 6 batches an epoch, 3 epochs: 18 steps, a checkpoint request after each. */
export const STEPS = 18;

/** Where the checkpoints go: a ModelCheckpoint dirpath, or the default `<defaultRootDir>/checkpoints`. */
export type Place = { dirpath: string } | { defaultRootDir: string };

/**
 * The campaign's training run: TinyRegressor with Adam and dropout, ModelCheckpoint saving every
 * step, keeping the 2 best by train_loss (eviction), last.ckpt and best_k_models.yaml. Runs in
 * this process so hundreds of runs stay affordable; the folders may not exist yet.
 */
export async function powerRun(place: Place, resume: boolean): Promise<RunResult> {
  const events: ({ kind: 'resolved'; path: string; step: number } | { kind: 'deleted'; path: string })[] = [];
  const checkpoint = new ModelCheckpoint({ ...('dirpath' in place ? { dirpath: place.dirpath } : {}), monitor: 'train_loss', saveTopK: 2, everyNTrainSteps: 1, saveLast: true, print: () => undefined });
  const start = new StartStep();
  const defaultRootDir = 'defaultRootDir' in place ? place.defaultRootDir : undefined;
  const trainer = new Trainer({ ...(defaultRootDir === undefined ? {} : { defaultRootDir }), accelerator: 'cpu', seed: 42, maxEpochs: 3, enableProgressBar: false, print: () => undefined, callbacks: [checkpoint, start] });
  const module = new TinyRegressor({ optimizer: 'adam', hidden: 8 });

  const deletedBefore = carelessness.deleted.length;
  const saveCheckpoint = trainer.saveCheckpoint.bind(trainer);
  trainer.saveCheckpoint = async (path, options) => {
    const step = trainer.globalStep;
    const written = await saveCheckpoint(path, options);
    // Deletions are interleaved with resolutions in the order they happened.
    for (const deleted of carelessness.deleted.splice(deletedBefore)) events.push({ kind: 'deleted', path: resolve(deleted) });
    events.push({ kind: 'resolved', path: resolve(written), step });
    return written;
  };
  let yamlEntries: string[] | undefined;
  const toYaml = checkpoint.toYaml.bind(checkpoint);
  checkpoint.toYaml = async (path) => {
    const entries = Object.keys(checkpoint.bestKModels);
    const written = await toYaml(path);
    yamlEntries = entries.map((entry) => resolve(entry));
    return written;
  };

  let error: unknown;
  try {
    await trainer.fit(module, loaders(48, 16, 8).train, undefined, resume ? { ckptPath: 'last' } : {});
  } catch (caught) {
    error = caught;
  }
  for (const deleted of carelessness.deleted.splice(deletedBefore)) events.push({ kind: 'deleted', path: resolve(deleted) });
  const checkpoints = new Map<string, number>();
  for (const event of events) {
    if (event.kind === 'deleted') checkpoints.delete(event.path);
    else checkpoints.set(event.path, Math.max(event.step, checkpoints.get(event.path) ?? -1));
  }
  return { weights: weightValues(module), report: { checkpoints, yamlEntries }, error, resumedFrom: trainer.ckptPath, resumedStep: start.step };
}

/** The global step when the fit starts: after the restore of a resumed run. */
class StartStep extends Callback {
  step = -1;
  override onFitStart(trainer: Trainer): void {
    this.step = trainer.globalStep;
  }
}
