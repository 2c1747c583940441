import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { parse } from 'yaml';
import { Trainer, type Callback, type TrainerOptions } from '../../src/index.js';
import { loaders, TinyRegressor } from '../helpers/tiny-module.js';

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

export const base = { enableProgressBar: false, enableCheckpointing: false, accelerator: 'cpu', seed: 1, log: () => undefined } as const satisfies TrainerOptions;

/** Fits a ScriptedModule with 5 train batches per epoch and 2 validation batches. */
export async function fitWith(callbacks: Callback[], options: TrainerOptions = {}, scores: readonly number[] = [], ckptPath?: string): Promise<Trainer> {
  const trainer = new Trainer({ ...base, maxEpochs: 3, ...options, callbacks });
  const { train, val } = loaders(40, 16, 8);
  await trainer.fit(new ScriptedModule(scores), train, val, ckptPath === undefined ? {} : { ckptPath });
  return trainer;
}
