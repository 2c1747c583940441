import type { Stage } from '../callbacks/hooks.js';
import type { BatchSource } from './batch-source.js';

/**
 * Lightning's LightningDataModule: everything about the data in one class. The trainer calls
 * `prepareData()` (download, unpack: once per run), then `setup(stage)`, then asks for the loaders
 * the call needs (`trainDataloader`/`valDataloader` for fit, `valDataloader` for validate,
 * `testDataloader` for test, `predictDataloader` for predict), and `teardown(stage)` at the end.
 * `stateDict()` is saved in every full checkpoint and handed back to `loadStateDict` on resume.
 */
export abstract class LightningDataModule<B = unknown> {
  prepareData(): void | Promise<void> {}
  setup(_stage: Stage): void | Promise<void> {}
  trainDataloader?(): BatchSource<B>;
  valDataloader?(): BatchSource<B>;
  testDataloader?(): BatchSource<B>;
  predictDataloader?(): BatchSource<B>;
  teardown(_stage: Stage): void | Promise<void> {}

  /** State to save in checkpoints (JSON-serialisable): a position in a stream, a vocabulary, ... */
  stateDict(): Record<string, unknown> {
    return {};
  }

  loadStateDict(_state: Record<string, unknown>): void {}
}

const LOADERS = { fit: 'trainDataloader', validate: 'valDataloader', test: 'testDataloader', predict: 'predictDataloader' } as const;

/** The loader a stage needs from a data module; refuses a module that lacks it, naming the method. */
export function dataModuleLoader<B>(dataModule: LightningDataModule<B>, stage: Stage): BatchSource<B> {
  const method = LOADERS[stage];
  const make = dataModule[method];
  if (typeof make !== 'function') throw new Error(`${stage}: the LightningDataModule ${dataModule.constructor.name} has no ${method}() method`);
  return make.call(dataModule);
}
