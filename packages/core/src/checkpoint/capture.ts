import type { DataLoader } from '../data/data-loader.js';
import type { LightningModule } from '../module/lightning-module.js';
import { getRandomState } from '../rng/global-random.js';
import type { LoopView } from './loop-view.js';
import { CAIRN_VERSION } from '../version.js';
import type { CheckpointState } from './checkpoint-state.js';
import { decodeJson, encodeJson } from './json-codec.js';
import { captureOptimizer } from './optimizer-state.js';
import { shareTensor } from './tensor-memory.js';

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
    epoch: loop.progress.epoch,
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
