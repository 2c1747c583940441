import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { Callback, DataLoader, LightningDataModule, loadCheckpoint, ModelCheckpoint, resetRandom, TensorDataset, Trainer, type Stage } from '../../src/index.js';
import { quiet, regressionData, TinyRegressor } from '../helpers/tiny-module.js';

afterEach(() => resetRandom());

/** Records every call the trainer makes on it; its state is a label set in setup unless restored. */
class RegressionData extends LightningDataModule<tf.Tensor[]> {
  readonly calls: string[];
  label: string | undefined;
  constructor(calls: string[], label?: string) {
    super();
    this.calls = calls;
    this.label = label;
  }
  override prepareData(): void {
    this.calls.push('prepareData');
  }
  override setup(stage: Stage): void {
    this.calls.push(`dm.setup:${stage}`);
  }
  override teardown(stage: Stage): void {
    this.calls.push(`dm.teardown:${stage}`);
  }
  private loader(name: string, samples: number, seed: number): DataLoader<tf.Tensor[]> {
    this.calls.push(name);
    const { x, y } = regressionData(samples, seed);
    return new DataLoader(new TensorDataset(x, y), { batchSize: 8, shuffle: name === 'train', seed: 3 });
  }
  override trainDataloader(): DataLoader<tf.Tensor[]> {
    return this.loader('train', 24, 1);
  }
  override valDataloader(): DataLoader<tf.Tensor[]> {
    return this.loader('val', 16, 2);
  }
  override testDataloader(): DataLoader<tf.Tensor[]> {
    return this.loader('test', 10, 4);
  }
  override predictDataloader(): DataLoader<tf.Tensor[]> {
    return this.loader('predict', 12, 5);
  }
  override stateDict(): Record<string, unknown> {
    return { label: this.label };
  }
  override loadStateDict(state: Record<string, unknown>): void {
    this.calls.push('loadStateDict');
    this.label = state.label as string;
  }
}

class WithSteps extends TinyRegressor {
  override testStep([x, y]: tf.Tensor[]): void {
    this.log('test_loss', tf.losses.meanSquaredError(y!, this.net.predict(x!) as tf.Tensor));
  }
  override forward([x]: tf.Tensor[]): tf.Tensor {
    return this.net.predict(x!) as tf.Tensor;
  }
}

/** Logs the callbacks' setup and teardown into the same list as the data module. */
class StageLog extends Callback {
  constructor(private readonly calls: string[]) {
    super();
  }
  override setup(_t: Trainer, _m: unknown, stage: Stage): void {
    this.calls.push(`callback.setup:${stage}`);
  }
  override teardown(_t: Trainer, _m: unknown, stage: Stage): void {
    this.calls.push(`callback.teardown:${stage}`);
  }
}

describe('LightningDataModule', () => {
  it('serves fit, validate, test and predict: prepareData, setup(stage) before callbacks, the stage loaders, teardown', async () => {
    const calls: string[] = [];
    const dm = new RegressionData(calls);
    const trainer = new Trainer({ ...quiet, accelerator: 'cpu', maxEpochs: 1, numSanityValSteps: 0, callbacks: [new StageLog(calls)] });
    const module = new WithSteps();
    const fitted = await trainer.fit(module, dm);
    expect(fitted.globalStep).toBe(3);
    expect(fitted.metrics.val_loss).toEqual(expect.any(Number));
    expect(trainer.dataModule).toBe(dm);
    const test = await trainer.test(module, dm);
    expect(test.test_loss).toEqual(expect.any(Number));
    await trainer.validate(module, dm);
    const predictions = await trainer.predict<tf.Tensor[], tf.Tensor>(module, dm);
    expect(predictions.map((p) => p.shape[0])).toEqual([8, 4]);
    tf.dispose(predictions);
    const stage = (s: string, loaders: string[]): string[] => ['prepareData', `dm.setup:${s}`, `callback.setup:${s}`, ...loaders, `dm.teardown:${s}`, `callback.teardown:${s}`];
    expect(calls).toEqual([...stage('fit', ['train', 'val']), ...stage('test', ['test']), ...stage('validate', ['val']), ...stage('predict', ['predict'])]);
  });

  it('saves its state in every checkpoint and gets it back on resume', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-datamodule-'));
    const run = (dm: RegressionData, maxEpochs: number, ckptPath?: string): Promise<unknown> =>
      new Trainer({ enableProgressBar: false, print: () => undefined, accelerator: 'cpu', seed: 1, maxEpochs, numSanityValSteps: 0, callbacks: [new ModelCheckpoint({ dirpath: dir, saveLast: true })] })
        .fit(new WithSteps(), dm, ckptPath === undefined ? undefined : { ckptPath });
    await run(new RegressionData([], 'vocabulary-1'), 1);
    const saved = await loadCheckpoint(join(dir, 'last.ckpt'));
    tf.dispose([...saved.weights.values(), ...(saved.optimizer?.weights ?? [])]);
    expect(saved.dataModule).toEqual({ label: 'vocabulary-1' });

    const calls: string[] = [];
    const resumed = new RegressionData(calls);
    await run(resumed, 2, 'last');
    expect(resumed.label).toBe('vocabulary-1');
    // Restored after setup and after the loaders were made, as the train loader's position is.
    expect(calls.indexOf('loadStateDict')).toBeGreaterThan(calls.indexOf('val'));
  });

  it('names a missing loader method and a misplaced argument', async () => {
    class TrainOnly extends LightningDataModule<tf.Tensor[]> {
      override trainDataloader(): DataLoader<tf.Tensor[]> {
        const { x, y } = regressionData(8, 1);
        return new DataLoader(new TensorDataset(x, y), { batchSize: 8 });
      }
    }
    const trainer = new Trainer({ ...quiet, accelerator: 'cpu', maxEpochs: 1 });
    await expect(trainer.test(new WithSteps(), new TrainOnly())).rejects.toThrow("test: the LightningDataModule TrainOnly has no testDataloader() method");
    await expect(trainer.fit(new WithSteps(), new TrainOnly(), [[]] as never)).rejects.toThrow(/gives the validation data \(valDataloader\(\)\); the third argument is the options/);
    // No valDataloader: fit trains without validation.
    expect((await trainer.fit(new WithSteps(), new TrainOnly())).globalStep).toBe(1);
  });
});
