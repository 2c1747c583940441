import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Callback, ModelCheckpoint, resetRandom, Trainer, type ModelCheckpointOptions, type Trainer as TrainerType } from '@cairn/core';
import { loaders, Tiny } from './tiny.js';

export const tmp = (): Promise<string> => mkdtemp(join(tmpdir(), 'cairn-s3-'));

/** Throws at the start of the step after `afterStep`: a crash once that step's checkpoint was requested. */
export class CrashAfterStep extends Callback {
  constructor(private readonly afterStep: number) {
    super();
  }
  override onTrainBatchStart(trainer: TrainerType): void {
    if (trainer.globalStep > this.afterStep) throw new Error('simulated crash');
  }
}

export interface Leg {
  trainer: Trainer;
  module: Tiny;
  checkpoints: ModelCheckpoint[];
  error: unknown;
}

/**
 * One process's share of a run in a fresh local folder (`root`): the ModelCheckpoints built from
 * `options`, a crash after `crashAfter` when given, resuming from `ckptPath` when given.
 */
export async function leg(root: string, options: ModelCheckpointOptions[], run: { maxEpochs?: number; crashAfter?: number; ckptPath?: string } = {}): Promise<Leg> {
  resetRandom();
  const checkpoints = options.map((o) => new ModelCheckpoint(o));
  const extra = run.crashAfter === undefined ? [] : [new CrashAfterStep(run.crashAfter)];
  const trainer = new Trainer({ enableProgressBar: false, accelerator: 'cpu', seed: 1, print: () => undefined, defaultRootDir: root, maxEpochs: run.maxEpochs ?? 4, callbacks: [...checkpoints, ...extra] });
  const module = new Tiny();
  const { train, val } = loaders();
  let error: unknown;
  try {
    await trainer.fit(module, train, val, run.ckptPath === undefined ? {} : { ckptPath: run.ckptPath });
  } catch (caught) {
    error = caught;
  }
  return { trainer, module, checkpoints, error };
}
