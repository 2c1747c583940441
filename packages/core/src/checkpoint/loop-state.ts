import * as tf from '@tensorflow/tfjs';
import type { DataLoader } from '../data/data-loader.js';
import type { LightningModule } from '../module/lightning-module.js';
import { loadWeights } from '../module/load-weights.js';
import { getRandomState, setRandomState } from '../rng/global-random.js';
import { CAIRN_VERSION } from '../version.js';
import type { CheckpointState } from './checkpoint-state.js';
import { decodeJson, encodeJson } from './json-codec.js';
import type { LoopView } from './loop-view.js';
import { captureOptimizer, restoreOptimizer } from './optimizer-state.js';
import { shareTensor } from './tensor-memory.js';

/**
 * The loop's state in and out of a checkpoint, through the LoopView the loop hands over: a
 * snapshot for a save (captureState) and the reverse for a resume (restoreState).
 */

/**
 * Snapshots everything a resume needs. Tensors are taken as new handles on the same buffers
 * (shareTensor: no copy on cpu or wasm; TF.js never writes a buffer in place), so training can go
 * on while the snapshot is written.
 */
export async function captureState(
  loop: LoopView,
  module: LightningModule,
  trainLoader: DataLoader<unknown> | undefined,
  weightsOnly: boolean,
): Promise<CheckpointState> {
  const named = module.namedWeights();
  const state: CheckpointState = {
    cairnVersion: CAIRN_VERSION,
    weightsOnly,
    epoch: loop.saveEpoch,
    globalStep: loop.progress.globalStep,
    progress: { ...loop.progress },
    shouldStop: loop.shouldStop,
    weights: new Map(named.map(({ name, variable }) => [name, shareTensor(variable)])),
    optimizer: undefined,
    callbacks: {},
    loggers: {},
    lrSchedulers: [],
    random: undefined,
    trainLoader: undefined,
    dataModule: undefined,
    metrics: undefined,
    hyperParameters: { ...module.hparams },
    extra: {},
  };
  if (!weightsOnly) {
    if (loop.optimizer !== undefined) {
      state.optimizer = await captureOptimizer(loop.optimizer, new Map(named.map(({ name, variable }) => [variable.name, name])));
    }
    state.random = getRandomState();
    state.trainLoader = trainLoader?.stateDict();
    state.dataModule = loop.dataModule?.stateDict();
    state.metrics = loop.metrics.stateDict();
    state.lrSchedulers = loop.lrSchedulers.map((config) => config.scheduler.stateDict());
    for (const callback of loop.callbacks) state.callbacks[callback.stateKey] = callback.stateDict();
    for (const logger of loop.loggers) {
      if (logger.stateKey !== undefined && logger.stateDict !== undefined) state.loggers[logger.stateKey] = logger.stateDict();
    }
  }
  await loop.callHook('onSaveCheckpoint', module, state);
  return freezeJsonParts(state);
}

/**
 * Deep-copies the JSON parts now: callbacks keep mutating their state while the snapshot waits
 * to be written. Also fails here, at the save request, on anything that is not JSON.
 */
function freezeJsonParts(state: CheckpointState): CheckpointState {
  const copy = <T>(what: string, value: T): T => {
    try {
      return value === undefined ? value : (decodeJson(encodeJson(value)) as T);
    } catch (error) {
      throw new Error(`checkpoint ${what} is not JSON-serialisable: ${String(error)}`);
    }
  };
  const { weights, optimizer, ...json } = state;
  const frozen = Object.fromEntries(Object.entries(json).map(([key, value]) => [key, copy(key, value)])) as typeof json;
  return { ...frozen, weights, optimizer: optimizer && { ...optimizer, config: copy('optimizer config', optimizer.config) } };
}

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
