import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { parse } from 'yaml';
import { ModelCheckpoint, Trainer, type Callback, type TrainerOptions } from '../../../src/index.js';
import { CrashAfterStep } from '../../helpers/run-recorder.js';
import { loaders, TinyRegressor } from '../../helpers/tiny-module.js';

export const tmp = (): Promise<string> => mkdtemp(join(tmpdir(), 'cairn-mc-'));

/** TinyRegressor that also logs `score`, a scripted value per validation run (or per step). */
export class ScriptedModule extends TinyRegressor {
  private validations = 0;
  constructor(private readonly scores: readonly number[] = []) {
    super();
  }
  override validationStep(batch: tf.Tensor[]): void {
    super.validationStep(batch);
    if (this.trainer?.sanityChecking) return;
    this.log('score', this.scores[this.validations % Math.max(1, this.scores.length)] ?? 0);
  }
  override onValidationEnd(): void {
    if (!this.trainer?.sanityChecking) this.validations++;
  }
}

/** Relative names of every checkpoint-ish file below `dir` (sub-folders included), sorted. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => !e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

export async function readYaml(path: string): Promise<Record<string, number>> {
  return parse(await readFile(path, 'utf8')) as Record<string, number>;
}

// No enableCheckpointing: false: these trainers always get a ModelCheckpoint, and the Trainer refuses both.
export const base = { enableProgressBar: false, accelerator: 'cpu', seed: 1, print: () => undefined } as const satisfies TrainerOptions;

/** Fits a ScriptedModule with 5 train batches per epoch and 2 validation batches. */
export async function fitWith(callbacks: Callback[], options: TrainerOptions = {}, scores: readonly number[] = [], ckptPath?: string): Promise<Trainer> {
  const trainer = new Trainer({ ...base, maxEpochs: 3, ...options, callbacks });
  const { train, val } = loaders(40, 16, 8);
  await trainer.fit(new ScriptedModule(scores), train, val, ckptPath === undefined ? {} : { ckptPath });
  return trainer;
}

/** Time is the global step in seconds, so time triggers are exact. */
export class SteppedClock extends ModelCheckpoint {
  private trainer: Trainer | undefined;
  override async setup(...args: Parameters<ModelCheckpoint['setup']>): Promise<void> {
    this.trainer = args[0];
    await super.setup(...args);
  }
  protected override now(): number {
    return (this.trainer?.globalStep ?? 0) * 1000;
  }
}

/** Names relative to `dir`: runs in different folders compare equal when they did the same. */
export function relativeModels(models: Readonly<Record<string, number>>, dir: string): Record<string, number> {
  return Object.fromEntries(Object.entries(models).map(([path, score]) => [relative(dir, path), score]));
}

/**
 * One process's share of an interrupted run: a fresh trainer and TinyRegressor with `callbacks`,
 * crashing after step `crashAfter` (the fit must reject) or running to completion.
 */
export async function leg(callbacks: Callback[], maxEpochs: number, crashAfter?: number, ckptPath?: string): Promise<Trainer> {
  const trainer = new Trainer({ ...base, maxEpochs, callbacks: [...callbacks, ...(crashAfter === undefined ? [] : [new CrashAfterStep(crashAfter)])] });
  const { train, val } = loaders(40, 16, 8);
  const run = trainer.fit(new TinyRegressor(), train, val, ckptPath === undefined ? {} : { ckptPath });
  if (crashAfter === undefined) await run;
  else await expect(run).rejects.toThrow('simulated crash');
  return trainer;
}

/** The `last` file named per epoch (`epoch=2-last.ckpt`): each one replaces, and deletes, the previous. */
export class EpochLast extends ModelCheckpoint {
  static override CHECKPOINT_NAME_LAST = '{epoch}-last';
}
