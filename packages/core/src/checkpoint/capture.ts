import type { HookDispatcher } from '../callback/dispatcher.js';
import type { DataLoader } from '../data/data-loader.js';
import type { LightningModule } from '../module/lightning-module.js';
import { getRandomState } from '../rng/global-random.js';
import type { Trainer } from '../trainer/trainer.js';
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
  trainer: Trainer,
  module: LightningModule,
  dispatcher: HookDispatcher,
  trainLoader: DataLoader<unknown> | undefined,
  weightsOnly: boolean,
): Promise<CheckpointState> {
  const named = module.namedWeights();
  const { progress, metrics } = trainer.captureProgress();
  const state: CheckpointState = {
    cairnVersion: CAIRN_VERSION,
    weightsOnly,
    epoch: trainer.currentEpoch,
    globalStep: trainer.globalStep,
    progress,
    shouldStop: trainer.shouldStop,
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
    if (trainer.optimizer !== undefined) {
      state.optimizer = await captureOptimizer(trainer.optimizer, new Map(named.map(({ name, variable }) => [variable.name, name])));
    }
    state.random = getRandomState();
    state.trainLoader = trainLoader?.stateDict();
    state.dataModule = trainer.dataModule?.stateDict();
    state.metrics = metrics;
    state.lrSchedulers = trainer.lrSchedulers.map((config) => config.scheduler.stateDict());
    for (const callback of trainer.callbacks) state.callbacks[callback.stateKey] = callback.stateDict();
    for (const logger of trainer.loggers) {
      if (logger.stateKey !== undefined && logger.stateDict !== undefined) state.loggers[logger.stateKey] = logger.stateDict();
    }
  }
  await dispatcher.call('onSaveCheckpoint', module, state);
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
