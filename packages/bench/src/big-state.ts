import { Trainer } from '@cairn/core';
import { BigStateModule, adamStateBytes } from './models.js';
import { benchTrainerOptions } from './trainer-options.js';

/** Variables of 1024x1024 float32 (4 MiB each): a state of N of them with Adam is 3N x 4 MiB. */
export const BLOCK: [number, number] = [1024, 1024];

/** BigStateModule of BLOCK variables, built from its hyper-parameters as `loadFromCheckpoint` builds a module. */
export class BlocksModule extends BigStateModule {
  constructor(hparams: Record<string, unknown>) {
    super(Number(hparams['blocks']), BLOCK);
    this.saveHyperparameters({ blocks: hparams['blocks'] });
  }
}

export interface StateSize {
  label: string;
  /** Number of BLOCK variables. */
  blocks: number;
}

export interface TrainedState {
  trainer: Trainer;
  module: BlocksModule;
  /** Tensor bytes of a full checkpoint: weights + Adam m and v + iteration. */
  stateBytes: number;
  composition: string;
}

/**
 * A module of big variables after a two-step fit on wasm, so Adam holds its slots and the trainer
 * holds the module: `trainer.saveCheckpoint` then saves the state a user's would.
 */
export async function trainedBigState(size: StateSize): Promise<TrainedState> {
  const module = new BlocksModule({ blocks: size.blocks });
  const trainer = new Trainer(benchTrainerOptions('wasm', { maxSteps: 2 }));
  await trainer.fit(module, [0, 0]);
  const parameters = size.blocks * BLOCK[0] * BLOCK[1];
  return {
    trainer,
    module,
    stateBytes: adamStateBytes(parameters),
    composition: `${size.blocks} float32 variables of ${BLOCK.join('x')} (${((parameters * 4) / 1e6).toFixed(0)} MB) + Adam m and v`,
  };
}

export function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(0)} MB`;
}
