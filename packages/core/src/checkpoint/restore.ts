import * as tf from '@tensorflow/tfjs';
import type { HookDispatcher } from '../callback/dispatcher.js';
import type { DataLoader } from '../data/data-loader.js';
import { loadWeights } from '../module/load-weights.js';
import type { LightningModule } from '../module/lightning-module.js';
import { setRandomState } from '../rng/global-random.js';
import type { Trainer } from '../trainer/trainer.js';
import type { CheckpointState } from './checkpoint-state.js';
import { restoreOptimizer } from './optimizer-state.js';

/** Puts a full checkpoint back: weights, optimizer, loop position, randomness, loader, callbacks, loggers, schedulers. */
export async function restoreState(
  trainer: Trainer,
  module: LightningModule,
  dispatcher: HookDispatcher,
  trainLoader: DataLoader<unknown> | undefined,
  state: CheckpointState,
  path: string,
): Promise<void> {
  try {
    await dispatcher.call('onLoadCheckpoint', module, state);
    loadWeights(module, state.weights, path);
    if (trainer.optimizer !== undefined && state.optimizer !== undefined) await restoreOptimizer(trainer.optimizer, state.optimizer);
    trainer.restoreProgress(state.progress, state.shouldStop);
    if (state.metrics !== undefined) trainer.restoreMetrics(state.metrics);
    if (state.random !== undefined) setRandomState(state.random);
    if (trainLoader !== undefined && state.trainLoader !== undefined) trainLoader.loadStateDict(state.trainLoader);
    if (trainer.dataModule !== undefined && state.dataModule !== undefined) trainer.dataModule.loadStateDict(state.dataModule);
    for (const callback of trainer.callbacks) {
      const saved = state.callbacks[callback.stateKey];
      if (saved !== undefined) callback.loadStateDict(saved);
    }
    for (const logger of trainer.loggers) {
      const saved = logger.stateKey === undefined ? undefined : state.loggers[logger.stateKey];
      if (saved !== undefined) await logger.loadStateDict?.(saved);
    }
    if (state.lrSchedulers.length !== trainer.lrSchedulers.length) {
      throw new Error(`${path}: checkpoint has ${state.lrSchedulers.length} lr schedulers, configureOptimizers() returned ${trainer.lrSchedulers.length}`);
    }
    trainer.lrSchedulers.forEach((config, i) => config.scheduler.loadStateDict(state.lrSchedulers[i] as Record<string, unknown>));
  } finally {
    tf.dispose([...state.weights.values(), ...(state.optimizer?.weights ?? [])]);
  }
}
