import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { webGpuDevice } from '../../../src/backend/webgpu/register.js';
import { readCheckpointFile, resetRandom, Trainer, type Accelerator, type LightningModule } from '../../../src/index.js';
import { relativeError } from '../helpers.js';
import { CrashAfterStep, MemoryLogger, optimizerValues, SaveAtSteps } from '../../helpers/run-recorder.js';
import { loaders, quiet, TinyRegressor } from '../../helpers/tiny-module.js';
import { useWebGpu } from './webgpu-adapter.js';

afterEach(() => resetRandom());

const EPOCHS = 3; // 5 batches of 8 per epoch: 15 steps
const options = (accelerator: Accelerator, logger: MemoryLogger) => ({ ...quiet, accelerator, seed: 42, maxEpochs: EPOCHS, logEveryNSteps: 1, logger });

/** Weights read the only way webgpu allows in Node: `await data()`. */
async function weightValues(module: LightningModule): Promise<Record<string, number[]>> {
  const named = module.namedWeights();
  const values = await Promise.all(named.map(async ({ variable }) => Array.from(await variable.data())));
  return Object.fromEntries(named.map(({ name }, i) => [name, values[i]!]));
}

interface Outcome {
  weights: Record<string, number[]>;
  optimizer: number[][];
  rows: MemoryLogger['rows'];
}

async function uninterrupted(accelerator: Accelerator): Promise<Outcome> {
  const logger = new MemoryLogger();
  const trainer = new Trainer(options(accelerator, logger));
  const module = new TinyRegressor({ optimizer: 'adam' });
  const { train, val } = loaders(40, 16, 8);
  await trainer.fit(module, train, val);
  return { weights: await weightValues(module), optimizer: await optimizerValues(trainer.optimizer!), rows: logger.rows };
}

/** Trains on `first` until step `stopAt` (checkpointed there, then a crash), resumes on `second` from the file. */
async function interrupted(first: Accelerator, second: Accelerator, stopAt: number): Promise<Outcome & { path: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-webgpu-'));
  const path = join(dir, `step-${stopAt}.ckpt`);
  const firstLogger = new MemoryLogger();
  const crashing = new Trainer({ ...options(first, firstLogger), callbacks: [new SaveAtSteps(new Set([stopAt]), () => path), new CrashAfterStep(stopAt)] });
  const firstData = loaders(40, 16, 8);
  await expect(crashing.fit(new TinyRegressor({ optimizer: 'adam' }), firstData.train, firstData.val)).rejects.toThrow('simulated crash');

  const secondLogger = new MemoryLogger();
  const resuming = new Trainer(options(second, secondLogger));
  const module = new TinyRegressor({ optimizer: 'adam' });
  const { train, val } = loaders(40, 16, 8);
  await resuming.fit(module, train, val, { ckptPath: path });
  return { weights: await weightValues(module), optimizer: await optimizerValues(resuming.optimizer!), rows: [...firstLogger.rows, ...secondLogger.rows], path };
}

function maxRelativeError(a: Record<string, number[]>, b: Record<string, number[]>): number {
  expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
  return Math.max(...Object.keys(a).map((k) => relativeError(a[k]!, b[k]!)));
}

describe('training on webgpu', () => {
  it('fit, save mid-epoch and resume ends bit-identical to the uninterrupted webgpu run', async ({ skip }) => {
    await useWebGpu(skip);
    const reference = await uninterrupted('webgpu');
    const resumed = await interrupted('webgpu', 'webgpu', 7);
    expect(resumed.weights).toEqual(reference.weights);
    expect(resumed.optimizer).toEqual(reference.optimizer);
    expect(resumed.rows).toEqual(reference.rows);
    // The file holds the webgpu tensors' bytes (downloaded asynchronously): real values, not a failed read's zeros.
    const weights = [...(await readCheckpointFile(resumed.path)).tensors.values()].filter((t) => t.name.startsWith('module.'));
    expect(weights.length).toBeGreaterThan(0);
    for (const t of weights) expect(t.data.some((byte) => byte !== 0)).toBe(true);
  });

  it.for<[Accelerator, Accelerator]>([
    ['webgpu', 'wasm'],
    ['webgpu', 'cpu'],
    ['cpu', 'webgpu'],
    ['wasm', 'webgpu'],
  ])('a checkpoint written on %s resumes on %s and ends where an uninterrupted run does', async ([first, second], { skip }) => {
    await useWebGpu(skip);
    const reference = await uninterrupted(second);
    const resumed = await interrupted(first, second, 7);
    // Different kernels on each side of the file: equal to float32 rounding, not bit for bit.
    expect(maxRelativeError(resumed.weights, reference.weights)).toBeLessThan(1e-4);
    expect(resumed.rows.map((r) => r.step)).toEqual(reference.rows.map((r) => r.step));
  });
});

/** A module whose training step does something only webgpu refuses or fails at, at step `at`. */
class FailingStep extends TinyRegressor {
  constructor(private readonly at: number, private readonly fault: () => void) {
    super({ optimizer: 'adam' });
  }

  override trainingStep(batch: tf.Tensor[]): tf.Scalar {
    if (this.trainer!.globalStep === this.at) this.fault();
    return super.trainingStep(batch);
  }
}

describe('failures on webgpu become errors', () => {
  it('a synchronous read says to read asynchronously', async ({ skip }) => {
    await useWebGpu(skip);
    const onGpu = tf.add(tf.ones([64, 64]), tf.ones([64, 64]));
    expect(() => onGpu.dataSync()).toThrow(/webgpu backend cannot read tensor values synchronously in Node .*await tensor\.data\(\)/);
    expect(() => onGpu.arraySync()).toThrow(/cannot read tensor values synchronously/);
    const trainer = new Trainer({ ...quiet, accelerator: 'webgpu', maxEpochs: 1 });
    const { train } = loaders(40, 16, 8);
    const module = new FailingStep(2, () => void tf.square(tf.ones([64, 64])).dataSync());
    await expect(trainer.fit(module, train)).rejects.toThrow(/cannot read tensor values synchronously/);
  });

  it('a Dawn validation error inside a step fails the fit, naming the cause', async ({ skip }) => {
    await useWebGpu(skip);
    const invalidUsage = (): void => {
      const device = webGpuDevice() as { createBuffer(d: { size: number; usage: number }): unknown };
      // A usage with every bit set is invalid: Dawn reports it as an uncaptured error, never as a throw.
      device.createBuffer({ size: 4, usage: 0xffffff });
    };
    const trainer = new Trainer({ ...quiet, accelerator: 'webgpu', maxEpochs: 1 });
    const { train } = loaders(40, 16, 8);
    const attempt = trainer.fit(new FailingStep(2, invalidUsage), train);
    await expect(attempt).rejects.toThrow(/training stopped: a WebGPU validation error on .*: .*WGPUBufferUsage/);
    await expect(attempt).rejects.toMatchObject({ name: 'AcceleratorError' });
    // Reported once: the device is still valid, and the next fit on it runs clean.
    await expect(new Trainer({ ...quiet, accelerator: 'webgpu', maxEpochs: 1 }).fit(new TinyRegressor(), loaders(40, 16, 8).train)).resolves.toMatchObject({ globalStep: 5 });
  });

  // Last in this file: the backend stays unusable after its device is gone.
  it('a lost device fails the fit, naming the loss', async ({ skip }) => {
    await useWebGpu(skip);
    const loseDevice = (): void => (webGpuDevice() as { destroy(): void }).destroy();
    const trainer = new Trainer({ ...quiet, accelerator: 'webgpu', maxEpochs: 1 });
    const { train } = loaders(40, 16, 8);
    await expect(trainer.fit(new FailingStep(2, loseDevice), train)).rejects.toThrow(/training stopped: the WebGPU device on .* was lost \(destroyed\)/);
  });
});
