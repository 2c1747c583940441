import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { DataLoader, loadCheckpoint, ModelCheckpoint, resetRandom, TensorDataset, Trainer, type Accelerator, type HookName } from '../../src/index.js';
import { HOOKS, Recorder } from '../helpers/hook-recorder.js';
import { loaders, quiet, regressionData, TinyRegressor, weightValues } from '../helpers/tiny-module.js';

afterEach(() => resetRandom());

/** TinyRegressor with a test step (MSE, plus a 'sum' count) and a forward for the default predictStep. */
class Evaluated extends TinyRegressor {
  readonly moduleHooks: string[] = [];

  constructor() {
    super();
    for (const hook of HOOKS.filter((h) => h.startsWith('onTest') || h.startsWith('onPredict'))) {
      Object.defineProperty(this, hook, { value: () => void this.moduleHooks.push(hook) });
    }
  }
  override testStep([x, y]: tf.Tensor[]): void {
    this.log('test_loss', tf.losses.meanSquaredError(y!, this.net.predict(x!) as tf.Tensor));
    this.log('test_rows', x!.shape[0]!, { reduce: 'sum' });
  }
  override forward([x]: tf.Tensor[]): tf.Tensor {
    return this.net.predict(x!) as tf.Tensor;
  }
}

/** 10 samples in batches of 4: 4, 4, 2 (the last batch weighs half as much in the mean). */
function uneven(): { loader: DataLoader<tf.Tensor[]>; x: tf.Tensor2D; y: tf.Tensor2D } {
  const { x, y } = regressionData(10, 2);
  return { loader: new DataLoader(new TensorDataset(x, y), { batchSize: 4 }), x, y };
}

const mse = (module: TinyRegressor, x: tf.Tensor2D, y: tf.Tensor2D, from: number, size: number): number =>
  tf.tidy(() => tf.losses.meanSquaredError(y.slice(from, size), module.net.predict(x.slice(from, size)) as tf.Tensor).dataSync()[0]!);

const stageHooks = (stage: 'Test' | 'Predict'): HookName[] => {
  const batch = [`on${stage}BatchStart`, `on${stage}BatchEnd`] as HookName[];
  return [`on${stage}Start`, `on${stage}EpochStart`, ...batch, ...batch, ...batch, `on${stage}EpochEnd`, `on${stage}End`] as HookName[];
};

describe.each<Accelerator>(['cpu', 'wasm'])('trainer.test and trainer.predict on %s', (accelerator) => {
  it('test resolves with epoch metrics weighted by batch size over uneven batches', async () => {
    const module = new Evaluated();
    const { loader, x, y } = uneven();
    const metrics = await new Trainer({ ...quiet, accelerator }).test(module, loader);
    const whole = mse(module, x, y, 0, 10);
    const hand = (4 * mse(module, x, y, 0, 4) + 4 * mse(module, x, y, 4, 4) + 2 * mse(module, x, y, 8, 2)) / 10;
    const unweighted = (mse(module, x, y, 0, 4) + mse(module, x, y, 4, 4) + mse(module, x, y, 8, 2)) / 3;
    // The data must tell the weighted and plain means apart, or the weighting would go untested.
    expect(Math.abs(unweighted - hand)).toBeGreaterThan(1e-3);
    expect(hand).toBeCloseTo(whole, 6);
    expect(metrics).toEqual({ test_loss: expect.closeTo(hand, 6), test_rows: 10 });
  });

  it('predict resolves with forward(batch) for every batch, in order, and leaks no tensor', async () => {
    const module = new Evaluated();
    const { loader, x } = uneven();
    const before = tf.memory().numTensors;
    const outputs = await new Trainer({ ...quiet, accelerator }).predict<tf.Tensor[], tf.Tensor>(module, loader);
    expect(outputs.map((o) => o.shape)).toEqual([[4, 1], [4, 1], [2, 1]]);
    const expected = tf.tidy(() => Array.from((module.net.predict(x) as tf.Tensor).dataSync()));
    expect(outputs.flatMap((o) => Array.from(o.dataSync()))).toEqual(expected.map((v) => expect.closeTo(v, 6)));
    tf.dispose(outputs);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('test and predict', () => {
  it('call the test and predict hooks in order on callbacks, the module and event listeners', async () => {
    for (const [stage, run] of [
      ['Test', (t: Trainer, m: Evaluated, l: DataLoader<tf.Tensor[]>) => t.test(m, l)],
      ['Predict', async (t: Trainer, m: Evaluated, l: DataLoader<tf.Tensor[]>) => tf.dispose((await t.predict(m, l)) as tf.Tensor[])],
    ] as const) {
      const recorder = new Recorder();
      const trainer = new Trainer({ ...quiet, accelerator: 'cpu', callbacks: [recorder] });
      const events: string[] = [];
      for (const hook of HOOKS) trainer.events.on(hook, () => void events.push(hook));
      const module = new Evaluated();
      await run(trainer, module, uneven().loader);
      const inner = stageHooks(stage);
      expect(recorder.calls).toEqual(['setup', ...inner, 'teardown']);
      expect(events).toEqual(recorder.calls);
      expect(module.moduleHooks).toEqual(inner);
    }
  });

  it('predictStep can be overridden; a module with neither predictStep nor forward is told what to add', async () => {
    class Doubled extends TinyRegressor {
      override predictStep([x]: tf.Tensor[], batchIdx: number): { idx: number; doubled: tf.Tensor } {
        return { idx: batchIdx, doubled: x!.mul(2) };
      }
    }
    const outputs = await new Trainer({ ...quiet, accelerator: 'cpu' }).predict<tf.Tensor[], { idx: number; doubled: tf.Tensor }>(new Doubled(), uneven().loader);
    expect(outputs.map((o) => o.idx)).toEqual([0, 1, 2]);
    expect(outputs.map((o) => o.doubled.shape[0])).toEqual([4, 4, 2]);
    tf.dispose(outputs.map((o) => o.doubled));
    await expect(new Trainer({ ...quiet, accelerator: 'cpu' }).predict(new TinyRegressor(), uneven().loader)).rejects.toThrow(/predictStep\(batch, batchIdx\) or forward\(batch\)/);
    await expect(new Trainer({ ...quiet, accelerator: 'cpu' }).test(new TinyRegressor(), uneven().loader)).rejects.toThrow(/testStep/);
  });

  it('log() in predict is refused; limitTestBatches and limitPredictBatches cap the batches', async () => {
    class Logging extends Evaluated {
      override predictStep(batch: tf.Tensor[]): tf.Tensor {
        this.log('nope', 1);
        return this.forward(batch);
      }
    }
    await expect(new Trainer({ ...quiet, accelerator: 'cpu' }).predict(new Logging(), uneven().loader)).rejects.toThrow(/not available in predict/);
    const metrics = await new Trainer({ ...quiet, accelerator: 'cpu', limitTestBatches: 2 }).test(new Evaluated(), uneven().loader);
    expect(metrics.test_rows).toBe(8);
    const outputs = await new Trainer({ ...quiet, accelerator: 'cpu', limitPredictBatches: 0.5 }).predict<tf.Tensor[], tf.Tensor>(new Evaluated(), uneven().loader);
    expect(outputs).toHaveLength(1);
    tf.dispose(outputs);
  });
});

describe('ckptPath in validate, test and predict', () => {
  // The best (lowest) score is epoch 1, not the newest epoch: 'best' and 'last' are different files.
  const SCORES = [0.5, 0.1, 0.3];
  class Scripted extends Evaluated {
    override validationStep(batch: tf.Tensor[]): void {
      super.validationStep(batch);
      this.log('val_score', SCORES[this.trainer!.currentEpoch] ?? 1);
    }
  }

  it("'best' after a fit evaluates the best file's weights, 'last' the newest, a path that file", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-eval-ckpt-'));
    const checkpoint = new ModelCheckpoint({ dirpath: dir, monitor: 'val_score', mode: 'min', saveTopK: -1, saveLast: true, filename: '{epoch}' });
    const trainer = new Trainer({ enableProgressBar: false, print: () => undefined, accelerator: 'cpu', seed: 1, maxEpochs: SCORES.length, numSanityValSteps: 0, callbacks: [checkpoint] });
    const module = new Scripted();
    const { train, val } = loaders();
    const fitted = await trainer.fit(module, train, val);
    expect(fitted.bestModelPath).toBe(join(dir, 'epoch=1.ckpt'));
    const finalWeights = weightValues(module);
    const weightsOf = async (path: string): Promise<Record<string, number[]>> => {
      const state = await loadCheckpoint(path);
      const values = Object.fromEntries([...state.weights].map(([name, t]) => [name, Array.from(t.dataSync())]));
      tf.dispose([...state.weights.values(), ...(state.optimizer?.weights ?? [])]);
      return values;
    };
    const best = await weightsOf(join(dir, 'epoch=1.ckpt'));
    expect(best).not.toEqual(finalWeights);

    const { loader, x, y } = uneven();
    const metrics = await trainer.test(module, loader, { ckptPath: 'best' });
    expect(trainer.ckptPath).toBe(join(dir, 'epoch=1.ckpt'));
    expect(weightValues(module)).toEqual(best);
    expect(metrics.test_loss).toBeCloseTo(mse(module, x, y, 0, 10), 6);

    await trainer.validate(module, uneven().loader, { ckptPath: 'last' });
    expect(weightValues(module)).toEqual(finalWeights);

    const fromPath = await trainer.predict<tf.Tensor[], tf.Tensor>(module, uneven().loader, { ckptPath: join(dir, 'epoch=0.ckpt') });
    expect(weightValues(module)).toEqual(await weightsOf(join(dir, 'epoch=0.ckpt')));
    tf.dispose(fromPath);
    // Evaluating does not reset the fit's position or its list of written files.
    expect(trainer.currentEpoch).toBe(SCORES.length);
    expect(trainer.checkpointingFiles.length).toBeGreaterThan(0);
  });

  it('refuses unknown options and a ckptPath of the wrong kind, naming them', async () => {
    const trainer = new Trainer({ ...quiet, accelerator: 'cpu' });
    await expect(trainer.test(new Evaluated(), uneven().loader, { ckpt_path: 'best' } as never)).rejects.toThrow(/ckpt_path/);
    await expect(trainer.predict(new Evaluated(), uneven().loader, { ckptPath: 3 } as never)).rejects.toThrow(/predict: ckptPath must be/);
  });
});
