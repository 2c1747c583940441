import * as tf from '@tensorflow/tfjs';
import type { DataLoader } from '../data/data-loader.js';
import { loadWeights } from '../module/load-weights.js';
import type { LightningModule } from '../module/lightning-module.js';
import { setRandomState } from '../rng/global-random.js';
import type { CheckpointState } from './checkpoint-state.js';
import type { LoopView } from './loop-view.js';
import { restoreOptimizer } from './optimizer-state.js';

/** Puts a full checkpoint back: weights, optimizer, loop position, randomness, loader, data module, callbacks, loggers, schedulers. */
export async function restoreState(
  loop: LoopView,
  module: LightningModule,
  trainLoader: DataLoader<unknown> | undefined,
  state: CheckpointState,
  path: string,
  warn: (line: string) => void,
): Promise<void> {
  try {
    await loop.callHook('onLoadCheckpoint', module, state);
    loadWeights(module, state.weights, path);
    if (loop.optimizer !== undefined && state.optimizer !== undefined) await restoreOptimizer(loop.optimizer, state.optimizer);
    loop.progress = { ...state.progress };
    loop.shouldStop = state.shouldStop;
    if (state.metrics !== undefined) loop.metrics.loadStateDict(state.metrics);
    if (state.random !== undefined) setRandomState(state.random);
    if (trainLoader !== undefined && state.trainLoader !== undefined) trainLoader.loadStateDict(state.trainLoader);
    if (loop.dataModule !== undefined && state.dataModule !== undefined) loop.dataModule.loadStateDict(state.dataModule);
    for (const callback of loop.callbacks) {
      const saved = state.callbacks[callback.stateKey];
      if (saved !== undefined) callback.loadStateDict(saved);
    }
    warnAboutOrphanState(loop, state, path, warn);
    for (const logger of loop.loggers) {
      const saved = logger.stateKey === undefined ? undefined : state.loggers[logger.stateKey];
      if (saved !== undefined) await logger.loadStateDict?.(saved);
    }
    if (state.lrSchedulers.length !== loop.lrSchedulers.length) {
      throw new Error(`${path}: checkpoint has ${state.lrSchedulers.length} lr schedulers, configureOptimizers() returned ${loop.lrSchedulers.length}`);
    }
    loop.lrSchedulers.forEach((config, i) => config.scheduler.loadStateDict(state.lrSchedulers[i] as Record<string, unknown>));
  } finally {
    tf.dispose([...state.weights.values(), ...(state.optimizer?.weights ?? [])]);
  }
}

/** State saved for callbacks this trainer does not have is not restored anywhere: say so (a ModelCheckpoint's ranking, ...). */
function warnAboutOrphanState(loop: LoopView, state: CheckpointState, path: string, warn: (line: string) => void): void {
  const present = new Set(loop.callbacks.map((c) => c.stateKey));
  const orphans = Object.keys(state.callbacks).filter((key) => !present.has(key));
  if (orphans.length === 0) return;
  warn(`cairn: ${path} holds state for callbacks this trainer does not have, which is not restored: ${orphans.map((k) => `'${k}'`).join(', ')}`);
}
