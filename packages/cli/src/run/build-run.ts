import * as callbacks from '@cairn/callbacks';
import { LightningDataModule, LightningModule, Trainer, type BatchSource, type Callback, type Logger } from '@cairn/core';
import { CliError } from '../cli-error.js';
import { loadExport, parseClassPath } from './load-export.js';
import type { ClassSpec, RunConfig } from './run-config.js';

/**
 * What the config's `data` class must offer: a LightningDataModule subclass (handed to the
 * Trainer whole, so its hooks run and its state is checkpointed), or any object with Lightning's
 * loader methods.
 */
export interface DataSource {
  setup?(stage: string): unknown;
  trainDataloader?(): BatchSource<unknown>;
  valDataloader?(): BatchSource<unknown> | undefined;
  testDataloader?(): BatchSource<unknown> | undefined;
}

export interface BuiltRun {
  trainer: Trainer;
  module: LightningModule;
  data: DataSource;
}

type Constructor = new (options: Record<string, unknown>) => unknown;

/** A class from `file#Export`, or (when `library` is given and there is no '#') a class @cairn/callbacks exports. */
async function resolveClass(spec: ClassSpec, where: string, library?: Record<string, unknown>): Promise<Constructor> {
  let found: unknown;
  if (!spec.classPath.includes('#') && library !== undefined) {
    found = library[spec.classPath];
    if (found === undefined) throw new CliError(`${where}: @cairn/callbacks has no class '${spec.classPath}' (use 'path/to/file.ts#Export' for your own)`);
  } else {
    const { file, name } = parseClassPath(spec.classPath, where);
    found = await loadExport(file, name, process.cwd(), where);
  }
  if (typeof found !== 'function') throw new CliError(`${where}: ${spec.classPath} is not a class`);
  return found as Constructor;
}

async function instantiate(spec: ClassSpec, where: string, library?: Record<string, unknown>): Promise<unknown> {
  const Class = await resolveClass(spec, where, library);
  try {
    return new Class({ ...(spec.initArgs ?? {}) });
  } catch (error) {
    throw new CliError(`${where} (${spec.classPath}): ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Builds the trainer first (its `seed` then seeds the module's initialisation, as in code), then
 * the module and the data module.
 */
export async function buildRun(config: RunConfig, print: (line: string) => void): Promise<BuiltRun> {
  const library = callbacks as unknown as Record<string, unknown>;
  const { callbacks: callbackSpecs = [], logger: loggerSpec, ...options } = config.trainer;
  const built: Callback[] = [];
  for (const [i, spec] of callbackSpecs.entries()) built.push((await instantiate(spec, `trainer.callbacks[${i}]`, library)) as Callback);
  let logger: Logger[] | false | undefined;
  if (loggerSpec === false) logger = false;
  else if (loggerSpec !== undefined) {
    logger = [];
    for (const [i, spec] of (Array.isArray(loggerSpec) ? loggerSpec : [loggerSpec]).entries()) logger.push((await instantiate(spec, `trainer.logger[${i}]`, library)) as Logger);
  }
  let trainer: Trainer;
  try {
    trainer = new Trainer({ ...options, callbacks: built, ...(logger === undefined ? {} : { logger }), print });
  } catch (error) {
    throw new CliError(`trainer: ${error instanceof Error ? error.message : String(error)}`);
  }
  const module = await instantiate(config.model, 'model', undefined);
  if (!(module instanceof LightningModule)) throw new CliError(`model: ${config.model.classPath} is not a LightningModule subclass`);
  const data = (await instantiate(config.data, 'data', undefined)) as DataSource;
  if (typeof data !== 'object' || data === null) throw new CliError(`data: ${config.data.classPath} did not construct an object`);
  return { trainer, module, data };
}

/** The loader a stage needs from the data module, or a clear error naming the missing method. */
export function loaderOf(data: DataSource, method: 'trainDataloader' | 'valDataloader' | 'testDataloader', required: boolean): BatchSource<unknown> | undefined {
  const fn = data[method];
  if (typeof fn !== 'function') {
    if (required) throw new CliError(`data: the data module has no ${method}() method`);
    return undefined;
  }
  return fn.call(data) ?? undefined;
}

/** The Trainer's data argument for `stage`: the data module itself, or the loaders its methods make. */
export async function dataFor(data: DataSource, stage: 'fit' | 'test'): Promise<{ module: LightningDataModule } | { train?: BatchSource<unknown>; val?: BatchSource<unknown>; test?: BatchSource<unknown> }> {
  if (data instanceof LightningDataModule) return { module: data };
  await data.setup?.(stage);
  if (stage === 'test') return { test: loaderOf(data, 'testDataloader', true) };
  return { train: loaderOf(data, 'trainDataloader', true), val: loaderOf(data, 'valDataloader', false) };
}
