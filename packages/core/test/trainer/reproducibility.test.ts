import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { Callback, DataLoader, resetRandom, TensorDataset, Trainer } from '../../src/index.js';
import { loaders, quiet, regressionData, TinyRegressor, weightValues } from '../helpers/tiny-module.js';

function unseededLoaders(): { train: DataLoader<tf.Tensor[]>; val: DataLoader<tf.Tensor[]> } {
  const t = regressionData(32, 1);
  const v = regressionData(8, 2);
  return { train: new DataLoader(new TensorDataset(t.x, t.y), { batchSize: 8, shuffle: true }), val: new DataLoader(new TensorDataset(v.x, v.y), { batchSize: 8 }) };
}

afterEach(() => resetRandom());

async function trainedWeights(seed: number | undefined): Promise<{ initial: Record<string, number[]>; final: Record<string, number[]> }> {
  const trainer = new Trainer({ ...quiet, accelerator: 'cpu', maxEpochs: 2, ...(seed === undefined ? {} : { seed }) });
  // The loader has no seed of its own: it draws one from the (seeded) global stream.
  const { train, val } = unseededLoaders();
  const module = new TinyRegressor();
  const initial = weightValues(module);
  await trainer.fit(module, train, val);
  return { initial, final: weightValues(module) };
}

describe('seed', () => {
  it('two runs with the same seed give identical weights (init, shuffle and dropout)', async () => {
    const a = await trainedWeights(42);
    const b = await trainedWeights(42);
    expect(b.initial).toEqual(a.initial);
    expect(b.final).toEqual(a.final);
    const c = await trainedWeights(43);
    expect(c.initial).not.toEqual(a.initial);
  });
});

describe('memory', () => {
  it('leaks no tensor: the count after step 10 equals the count after step 100', async () => {
    const counts = new Map<number, number>();
    class Probe extends Callback {
      override onTrainBatchEnd(trainer: Trainer): void {
        if (trainer.globalStep === 10 || trainer.globalStep === 100) counts.set(trainer.globalStep, tf.memory().numTensors);
      }
    }
    const { train, val } = loaders(80, 16, 8);
    const trainer = new Trainer({ ...quiet, accelerator: 'cpu', maxSteps: 100, callbacks: [new Probe()] });
    await trainer.fit(new TinyRegressor(), train, val);
    expect(counts.get(10)).toBeGreaterThan(0);
    expect(counts.get(100)).toBe(counts.get(10));
  });
});
