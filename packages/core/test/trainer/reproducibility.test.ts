import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DataLoader, getLearningRate, ProgressBar, resetRandom, StepLR, TensorDataset, Trainer, type FitResult, type OptimizerConfig } from '../../src/index.js';
import { epochCheckpointsWritten, TensorCountProbe } from '../helpers/tensor-count.js';
import { loaders, quiet, regressionData, TinyRegressor, weightValues } from '../helpers/tiny-module.js';
import { FakeStream } from '../callbacks/progress-bar/fake-stream.js';

function unseededLoaders(): { train: DataLoader<tf.Tensor[]>; val: DataLoader<tf.Tensor[]> } {
  const t = regressionData(32, 1);
  const v = regressionData(8, 2);
  return { train: new DataLoader(new TensorDataset(t.x, t.y), { batchSize: 8, shuffle: true }), val: new DataLoader(new TensorDataset(v.x, v.y), { batchSize: 8 }) };
}

afterEach(() => resetRandom());

/** TinyRegressor whose lr halves every 10 steps: the scheduler runs inside every step. */
class SteppedLr extends TinyRegressor {
  override configureOptimizers(): OptimizerConfig {
    const optimizer = tf.train.adam(0.01);
    return { optimizer, lrScheduler: { scheduler: new StepLR(optimizer, { stepSize: 10, gamma: 0.5 }), interval: 'step' } };
  }
}

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
    const probe = new TensorCountProbe([10, 100]);
    const { train, val } = loaders(80, 16, 8);
    const trainer = new Trainer({ ...quiet, accelerator: 'cpu', maxSteps: 100, callbacks: [probe] });
    await trainer.fit(new TinyRegressor(), train, val);
    expect(probe.counts.get(10)).toBeGreaterThan(0);
    expect(probe.counts.get(100)).toBe(probe.counts.get(10));
  });
});

describe('memory on wasm with a saving ModelCheckpoint, a progress bar, an lr scheduler and validation', () => {
  const probe = new TensorCountProbe([10, 100], epochCheckpointsWritten);
  const stream = new FakeStream(false);
  let trainer: Trainer;
  let result: FitResult;

  // One fit serves both tests: the second only asserts the leak, so its known failure hides nothing else.
  beforeAll(async () => {
    const { train, val } = loaders(80, 16, 8);
    // Only the progress bar is given (to capture its output): the Trainer adds its default ModelCheckpoint.
    trainer = new Trainer({
      accelerator: 'wasm', maxSteps: 100, defaultRootDir: await mkdtemp(join(tmpdir(), 'cairn-leak-')), print: () => undefined,
      callbacks: [probe, new ProgressBar({ stream })],
    });
    result = await trainer.fit(new SteppedLr(), train, val);
  });

  it('runs every part under test: wasm, 10 epoch checkpoints, 10 progress lines, a decayed lr', () => {
    expect(trainer.backend?.backend).toBe('wasm');
    expect(result.checkpointingFiles).toHaveLength(10);
    expect(result.metrics.val_loss).toBeGreaterThan(0);
    expect(existsSync(result.bestModelPath)).toBe(true);
    expect(stream.text.split('\n').filter((line) => /^Epoch \d+: 10 batches/.test(line))).toHaveLength(10);
    expect(getLearningRate(trainer.optimizer!)).toBeCloseTo(0.01 * 0.5 ** 10, 10);
    expect(probe.counts.get(10)).toBeGreaterThan(0);
  });

  // Each save snapshots the optimizer too, whose getWeights() makes a fresh 'iter' scalar every call.
  it('leaks no tensor: the count after step 10 equals the count after step 100', () => {
    expect(probe.counts.get(100)).toBe(probe.counts.get(10));
  });
});
