import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { Trainer } from '../../../src/index.js';
import { SaveAtSteps } from '../../helpers/run-recorder.js';
import { loaders, quiet, TinyRegressor } from '../../helpers/tiny-module.js';

/** A trainer, module and data that can resume the base checkpoints (same architecture and optimizer). */
export function resumeSetup(): { trainer: Trainer; module: TinyRegressor; data: ReturnType<typeof loaders> } {
  return {
    trainer: new Trainer({ ...quiet, accelerator: 'cpu', maxSteps: 14 }),
    module: new TinyRegressor({ optimizer: 'adam', hidden: 32 }),
    data: loaders(80, 16, 8),
  };
}

/**
 * Valid checkpoints written by the Trainer, to be damaged by the fuzzer: one in the middle of an
 * epoch (step 3) and one at an epoch boundary (step 10), with Adam slots, loader and random state.
 */
export async function writeBaseCheckpoints(dir: string): Promise<{ path: string; bytes: Uint8Array }[]> {
  const paths = [3, 10].map((step) => join(dir, `base-${step}.ckpt`));
  const steps = new SaveAtSteps(new Set([3, 10]), (step) => join(dir, `base-${step}.ckpt`));
  const trainer = new Trainer({ ...quiet, accelerator: 'cpu', seed: 5, maxSteps: 12, callbacks: [steps] });
  const { train, val } = loaders(80, 16, 8);
  await trainer.fit(new TinyRegressor({ optimizer: 'adam', hidden: 32 }), train, val);
  return Promise.all(paths.map(async (path) => ({ path, bytes: new Uint8Array(await readFile(path)) })));
}
