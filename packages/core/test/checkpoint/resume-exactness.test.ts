import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resetRandom, Trainer, type Accelerator } from '../../src/index.js';
import { CrashAfterStep, MemoryLogger, optimizerValues, SaveAtSteps } from '../helpers/run-recorder.js';
import { loaders, quiet, TinyRegressor, weightValues, type OptimizerName } from '../helpers/tiny-module.js';

afterEach(() => resetRandom());

const EPOCHS = 3; // 5 batches of 8 per epoch: 15 steps
const options = (accelerator: Accelerator, logger: MemoryLogger) => ({ ...quiet, accelerator, seed: 42, maxEpochs: EPOCHS, logEveryNSteps: 1, logger });

interface Outcome {
  weights: Record<string, number[]>;
  optimizer: number[][];
  rows: MemoryLogger['rows'];
  metrics: Record<string, number>;
}

async function uninterrupted(accelerator: Accelerator, optimizer: OptimizerName): Promise<Outcome> {
  const logger = new MemoryLogger();
  const trainer = new Trainer(options(accelerator, logger));
  const module = new TinyRegressor({ optimizer });
  const { train, val } = loaders(40, 16, 8);
  const result = await trainer.fit(module, train, val);
  return { weights: weightValues(module), optimizer: await optimizerValues(trainer.optimizer!), rows: logger.rows, metrics: result.metrics };
}

/** Crashes right after step `stopAt` (checkpointed there), then resumes in a fresh trainer, module and loaders. */
async function interrupted(accelerator: Accelerator, optimizer: OptimizerName, stopAt: number): Promise<Outcome> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-resume-'));
  const path = join(dir, `step-${stopAt}.ckpt`);
  const firstLogger = new MemoryLogger();
  const first = new Trainer({ ...options(accelerator, firstLogger), callbacks: [new SaveAtSteps(new Set([stopAt]), () => path), new CrashAfterStep(stopAt)] });
  const firstData = loaders(40, 16, 8);
  await expect(first.fit(new TinyRegressor({ optimizer }), firstData.train, firstData.val)).rejects.toThrow('simulated crash');

  const secondLogger = new MemoryLogger();
  const second = new Trainer(options(accelerator, secondLogger));
  const module = new TinyRegressor({ optimizer });
  const { train, val } = loaders(40, 16, 8);
  const result = await second.fit(module, train, val, { ckptPath: path });
  expect(second.ckptPath).toBe(path);
  return { weights: weightValues(module), optimizer: await optimizerValues(second.optimizer!), rows: [...firstLogger.rows, ...secondLogger.rows], metrics: result.metrics };
}

describe.each<Accelerator>(['cpu', 'wasm'])('exact resume on %s', (accelerator) => {
  describe.each<OptimizerName>(['adam', 'sgd', 'rmsprop'])('%s', (optimizer) => {
    it.each([
      ['mid-epoch', 7],
      ['at an epoch boundary', 10],
    ])('interrupted %s (step %i) ends bit-identical to the uninterrupted run', async (_label, stopAt) => {
      const reference = await uninterrupted(accelerator, optimizer);
      const resumed = await interrupted(accelerator, optimizer, stopAt);
      expect(resumed.weights).toEqual(reference.weights);
      expect(resumed.optimizer).toEqual(reference.optimizer);
      expect(resumed.rows).toEqual(reference.rows);
      expect(resumed.metrics).toEqual(reference.metrics);
    });
  });
});
