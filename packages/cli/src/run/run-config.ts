import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse } from 'yaml';
import { CliError } from '../cli-error.js';
import { applyOverrides, type Override } from './overrides.js';

/** A class and the one options object its constructor takes (LightningCLI's class_path / init_args). */
export interface ClassSpec {
  /** `path/to/file.ts#Export` (relative to the config file), or for callbacks and loggers a class name exported by @cairn/callbacks. */
  classPath: string;
  initArgs?: Record<string, unknown>;
}

export interface RunConfig {
  model: ClassSpec;
  /** A data module: an object with trainDataloader() and optionally valDataloader(), testDataloader(), setup(stage). */
  data: ClassSpec;
  /** Trainer options (camelCase, as `new Trainer({...})` takes them) plus `callbacks` and `logger` as class specs. */
  trainer: Record<string, unknown> & { callbacks?: ClassSpec[]; logger?: ClassSpec | ClassSpec[] | false };
  /** Resume from a checkpoint path, 'last' or 'best' (fit only). */
  ckptPath?: string;
}

const TOP_LEVEL = new Set(['model', 'data', 'trainer', 'ckptPath']);
const SPEC_KEYS = new Set(['classPath', 'initArgs']);

function fail(message: string): never {
  throw new CliError(`config: ${message}`);
}

function checkSpec(value: unknown, where: string): ClassSpec {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`${where} must be { classPath, initArgs }, got ${JSON.stringify(value)}`);
  for (const key of Object.keys(value)) if (!SPEC_KEYS.has(key)) fail(`${where} has unknown key '${key}' (known: classPath, initArgs)`);
  const { classPath, initArgs } = value as ClassSpec;
  if (typeof classPath !== 'string' || classPath === '') fail(`${where}.classPath must be a non-empty string`);
  if (initArgs !== undefined && (typeof initArgs !== 'object' || initArgs === null || Array.isArray(initArgs))) fail(`${where}.initArgs must be a mapping`);
  return value as ClassSpec;
}

/** Validates the shape of a merged config (the classes and trainer options are checked when built). */
export function checkConfig(raw: unknown): RunConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('the file must hold a mapping with model, data and trainer');
  for (const key of Object.keys(raw)) if (!TOP_LEVEL.has(key)) fail(`unknown key '${key}' (known: ${[...TOP_LEVEL].join(', ')})`);
  const config = raw as Partial<RunConfig>;
  checkSpec(config.model, 'model');
  checkSpec(config.data, 'data');
  const trainer = config.trainer ?? {};
  if (typeof trainer !== 'object' || trainer === null || Array.isArray(trainer)) fail('trainer must be a mapping of Trainer options');
  if (trainer.callbacks !== undefined) {
    if (!Array.isArray(trainer.callbacks)) fail('trainer.callbacks must be a list of { classPath, initArgs }');
    trainer.callbacks.forEach((spec, i) => checkSpec(spec, `trainer.callbacks[${i}]`));
  }
  if (trainer.logger !== undefined && trainer.logger !== false) {
    const loggers = Array.isArray(trainer.logger) ? trainer.logger : [trainer.logger];
    loggers.forEach((spec, i) => checkSpec(spec, `trainer.logger[${i}]`));
  }
  if (config.ckptPath !== undefined && (typeof config.ckptPath !== 'string' || config.ckptPath === '')) fail(`ckptPath must be a path, 'last' or 'best'`);
  return { model: config.model!, data: config.data!, trainer, ...(config.ckptPath === undefined ? {} : { ckptPath: config.ckptPath }) };
}

/** Makes every file classPath absolute, so the printed config runs from any folder. */
function resolvePaths(config: RunConfig, baseDir: string): RunConfig {
  const fix = (spec: ClassSpec): ClassSpec => {
    const at = spec.classPath.lastIndexOf('#');
    if (at <= 0) return spec;
    const file = spec.classPath.slice(0, at);
    return { ...spec, classPath: `${isAbsolute(file) ? file : resolve(baseDir, file)}${spec.classPath.slice(at)}` };
  };
  const { trainer } = config;
  const logger = trainer.logger;
  return {
    ...config,
    model: fix(config.model),
    data: fix(config.data),
    trainer: {
      ...trainer,
      ...(trainer.callbacks === undefined ? {} : { callbacks: trainer.callbacks.map(fix) }),
      ...(logger === undefined || logger === false ? {} : { logger: Array.isArray(logger) ? logger.map(fix) : fix(logger) }),
    },
  };
}

/** Reads `path`, applies the overrides, validates, and resolves file paths against the config's folder. */
export async function loadRunConfig(path: string, overrides: readonly Override[]): Promise<RunConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new CliError(`--config: cannot read ${path}`);
  }
  let raw: unknown;
  try {
    raw = parse(text) ?? {};
  } catch (error) {
    throw new CliError(`config ${path} is not valid YAML: ${(error as Error).message}`);
  }
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) applyOverrides(raw as Record<string, unknown>, overrides);
  return resolvePaths(checkConfig(raw), dirname(resolve(path)));
}
