import type { BatchSource } from '../data/batch-source.js';
import { LightningDataModule } from '../data/data-module.js';
import { LightningModule as LightningModuleClass } from '../module/lightning-module.js';
import { describeKind } from '../options/describe-kind.js';
import { rejectUnknownOptions, type OptionKeys } from '../options/known-options.js';
import { gotWrongKind, whereItBelongs } from './where-it-belongs.js';

export interface FitOptions {
  /** Resume from a checkpoint file, `'last'` (newest valid one) or `'best'` (the ModelCheckpoint's best). */
  ckptPath?: string;
}

/** Options of validate, test and predict. */
export interface EvaluateOptions {
  /**
   * Evaluate the weights of a checkpoint file, `'last'` (newest valid one in the checkpoint
   * folders) or `'best'` (the ModelCheckpoint's best, e.g. after a fit). Default: the module's
   * current weights.
   */
  ckptPath?: string;
}

const FIT_OPTIONS: OptionKeys<FitOptions> = { ckptPath: true };
const EVALUATE_OPTIONS: OptionKeys<EvaluateOptions> = { ckptPath: true };

export function checkEvaluateArguments(stage: string, module: unknown, options: unknown): void {
  if (!(module instanceof LightningModuleClass)) throw new Error(`${stage}: module must be a LightningModule instance, ${gotWrongKind(module)}`);
  if (typeof options !== 'object' || options === null || whereItBelongs(options) !== undefined) {
    throw new Error(`${stage}: options must be an object such as { ckptPath: 'best' }, ${gotWrongKind(options)}`);
  }
  rejectUnknownOptions(stage, options as EvaluateOptions, EVALUATE_OPTIONS);
  checkCkptPath(stage, (options as EvaluateOptions).ckptPath);
}

function checkCkptPath(stage: string, ckptPath: unknown): void {
  if (ckptPath !== undefined && (typeof ckptPath !== 'string' || ckptPath.length === 0 || ckptPath.includes('\0'))) {
    throw new Error(`${stage}: ckptPath must be a checkpoint file path, 'last' or 'best', got ${typeof ckptPath === 'string' ? JSON.stringify(ckptPath) : describeKind(ckptPath)}`);
  }
}

/** fit(module, dataModule, options?) or fit(module, trainData, valData?, options?). */
export function fitArguments<B>(data: BatchSource<B> | LightningDataModule<B>, valOrOptions: unknown, moreOptions: unknown): { dataModule?: LightningDataModule; trainData?: BatchSource<B>; valData?: BatchSource<B>; options: FitOptions } {
  if (!(data instanceof LightningDataModule)) return { trainData: data, valData: valOrOptions as BatchSource<B> | undefined, options: (moreOptions === undefined ? {} : moreOptions) as FitOptions };
  if (moreOptions !== undefined) throw new Error(`fit: with a LightningDataModule the options come third: fit(module, dataModule, { ckptPath }), ${gotWrongKind(moreOptions)} as a 4th argument`);
  if (valOrOptions !== undefined && (whereItBelongs(valOrOptions) !== undefined || isBatchSource(valOrOptions))) {
    throw new Error(`fit: the LightningDataModule gives the validation data (valDataloader()); the third argument is the options, ${gotWrongKind(valOrOptions)}`);
  }
  return { dataModule: data as LightningDataModule, options: (valOrOptions === undefined ? {} : valOrOptions) as FitOptions };
}

function isBatchSource(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (Symbol.iterator in value || Symbol.asyncIterator in value);
}

export function checkFitArguments(module: unknown, options: unknown): void {
  if (!(module instanceof LightningModuleClass)) throw new Error(`fit: module must be a LightningModule instance, ${gotWrongKind(module)}`);
  // A DataLoader or module in this place (a test loader as a 4th argument) is a slip, not options.
  if (typeof options !== 'object' || options === null || whereItBelongs(options) !== undefined) {
    throw new Error(`fit: options must be an object such as { ckptPath: 'last' }, ${gotWrongKind(options)}`);
  }
  rejectUnknownOptions('fit', options as FitOptions, FIT_OPTIONS);
  checkCkptPath('fit', (options as FitOptions).ckptPath);
}
