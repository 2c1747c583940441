import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Callback, DataLoader, ModelCheckpoint, ProgressBar, TensorDataset, Trainer, type Logger, type TrainerOptions } from '../../src/index.js';
import { loaders, quiet, TinyRegressor } from '../helpers/tiny-module.js';

/** A logger as a user writes one: a class with logMetrics, not a Callback. */
class RecordingLogger implements Logger {
  readonly rows: Record<string, number>[] = [];
  logMetrics(metrics: Record<string, number>): void {
    this.rows.push({ ...metrics });
  }
}

class EpochCounter extends Callback {
  epochs = 0;
  override onTrainEpochEnd(): void {
    this.epochs += 1;
  }
}

function refusal(options: TrainerOptions): string {
  try {
    new Trainer(options);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('the Trainer accepted the options');
}

describe("a logger in 'callbacks' (Keras style)", () => {
  it('is used as a logger, not as a callback, and receives the metrics', async () => {
    const logger = new RecordingLogger();
    const trainer = new Trainer({ ...quiet, accelerator: 'cpu', maxEpochs: 1, enableCheckpointing: false, callbacks: [logger, new EpochCounter()] });
    expect(trainer.loggers).toEqual([logger]);
    expect(trainer.callbacks.some((c) => (c as unknown) === logger)).toBe(false);
    const counter = trainer.callbacks.find((c) => c instanceof EpochCounter);
    const { train, val } = loaders();
    await trainer.fit(new TinyRegressor(), train, val);
    expect(logger.rows.some((row) => 'val_loss' in row)).toBe(true);
    expect(logger.rows.some((row) => 'train_loss_epoch' in row)).toBe(true);
    expect(counter?.epochs).toBe(1);
  });

  it('joins the loggers of the logger option; one instance given in both places is one logger', () => {
    const a = new RecordingLogger();
    const b = new RecordingLogger();
    expect(new Trainer({ ...quiet, accelerator: 'cpu', logger: a, callbacks: [b] }).loggers).toEqual([a, b]);
    expect(new Trainer({ ...quiet, accelerator: 'cpu', logger: [a], callbacks: [a] }).loggers).toEqual([a]);
  });

  it('contradicts logger: false, and the error names both', () => {
    expect(refusal({ logger: false, callbacks: [new RecordingLogger()] })).toMatch(/logger is false \(logging off\), but callbacks holds RecordingLogger/);
  });
});

describe('an object of the wrong kind is named by its class, with the place it belongs', () => {
  const loader = new DataLoader(new TensorDataset(tf.zeros([4, 3])), { batchSize: 2 });
  it.each<[string, Record<string, unknown>, RegExp]>([
    ['a ModelCheckpoint as the logger', { logger: new ModelCheckpoint() }, /option 'logger' must be a logger \(or false\), got a ModelCheckpoint \(a Callback goes in the Trainer's 'callbacks' option\)/],
    ['a Callback in a logger array', { logger: [new RecordingLogger(), new ProgressBar()] }, /logger\[1\] must be a logger \(or false\), got a ProgressBar \(a Callback goes in the Trainer's 'callbacks' option\)/],
    ['a DataLoader among the callbacks', { callbacks: [new ProgressBar(), loader] }, /callbacks\[1\] must be a Callback or a logger, got a DataLoader \(a DataLoader is trainData or valData of trainer\.fit/],
    ['a module among the callbacks', { callbacks: [new TinyRegressor()] }, /callbacks\[0\] must be a Callback or a logger, got a TinyRegressor \(a LightningModule is the first argument of trainer\.fit/],
    ['an optimizer among the callbacks', { callbacks: [tf.train.adam()] }, /callbacks\[0\] must be a Callback or a logger, got an AdamOptimizer \(an optimizer is what the module's configureOptimizers\(\) returns\)/],
    ['a class instead of an instance', { callbacks: [ModelCheckpoint as never] }, /callbacks\[0\] must be a Callback or a logger, got the class ModelCheckpoint itself \(create one with new ModelCheckpoint\(\.\.\.\)\)/],
    ['a plain object of hooks', { callbacks: [{ onTrainStart: () => undefined } as never] }, /callbacks\[0\] must be a Callback or a logger, got a plain object with keys onTrainStart/],
    ['one callback not in an array', { callbacks: new ProgressBar() as never }, /option 'callbacks' must be an array of callbacks \(loggers allowed\), got a ProgressBar \(.*\); wrap it in an array: callbacks: \[it\]/],
  ])('%s', (_label, options, message) => {
    const text = refusal({ ...quiet, ...options } as TrainerOptions);
    expect(text).toMatch(message);
    // The class says what the object is; a JSON dump of its fields does not.
    expect(text).not.toMatch(/\{"/);
  });

  it('fit names a DataLoader passed as the module, and a module passed as the data', async () => {
    const trainer = new Trainer({ ...quiet, accelerator: 'cpu', maxSteps: 1 });
    const { train } = loaders();
    await expect(trainer.fit(train as never, train)).rejects.toThrow(/fit: module must be a LightningModule instance, got a DataLoader \(a DataLoader is trainData or valData/);
    await expect(trainer.fit(new TinyRegressor(), new TinyRegressor() as never)).rejects.toThrow(/fit: trainData must be a DataLoader or an \(async\) iterable of batches, got a TinyRegressor \(a LightningModule is the first argument/);
  });

  it('fit names a loader passed where its options go, an options typo, and a ckptPath object', async () => {
    const trainer = new Trainer({ ...quiet, accelerator: 'cpu', maxSteps: 1 });
    const { train, val } = loaders();
    await expect(trainer.fit(new TinyRegressor(), train, val, val as never)).rejects.toThrow(/fit: options must be an object such as \{ ckptPath: 'last' \}, got a DataLoader \(a DataLoader is trainData or valData/);
    await expect(trainer.fit(new TinyRegressor(), train, val, { ckpt_path: 'last' } as never)).rejects.toThrow(/fit: unknown option 'ckpt_path'; the options are ckptPath/);
    await expect(trainer.fit(new TinyRegressor(), train, val, { ckptPath: new URL('file:///x.ckpt') } as never)).rejects.toThrow(/fit: ckptPath must be a checkpoint file path, 'last' or 'best', got a URL/);
  });

  it('configureOptimizers returning the wrong kind names it', async () => {
    class WrongOptimizer extends TinyRegressor {
      override configureOptimizers(): never {
        return { optimizer: new ProgressBar() } as never;
      }
    }
    const trainer = new Trainer({ ...quiet, accelerator: 'cpu', maxSteps: 1 });
    await expect(trainer.fit(new WrongOptimizer(), loaders().train)).rejects.toThrow(/configureOptimizers\(\) must return a tf\.Optimizer or \{ optimizer, lrScheduler\? \}, got \{ optimizer: a ProgressBar \}/);
  });

  it.each<[string, unknown, RegExp]>([
    ['a plain number', 3, /got number 3/],
    ['a loss of several values', tf.ones([2]), /got a tensor of shape \[2\]/],
    ['an object without loss', { value: 1 }, /got a plain object with keys value/],
    ['{ loss } holding a number', { loss: 0.5 }, /got \{ loss: number 0\.5 \}/],
  ])('trainingStep returning %s is named', async (_label, returned, message) => {
    class Wrong extends TinyRegressor {
      override trainingStep(): never {
        return returned as never;
      }
    }
    const trainer = new Trainer({ ...quiet, accelerator: 'cpu', maxSteps: 1 });
    await expect(trainer.fit(new Wrong(), loaders().train)).rejects.toThrow(message);
  });

  it('a Callback subclass is never taken for a logger', () => {
    class Odd extends Callback {
      logMetrics(): void {}
    }
    const odd = new Odd();
    const trainer = new Trainer({ ...quiet, accelerator: 'cpu', callbacks: [odd] });
    expect(trainer.callbacks).toContain(odd);
    expect(trainer.loggers).toEqual([]);
  });
});
