import * as tf from '@tensorflow/tfjs';
import { describe, it } from 'vitest';
import { DataLoader, TensorDataset, Trainer, type DataLoaderOptions, type TrainerOptions } from '../../src/index.js';
import { expectClearRefusal, title, type BadInput } from '../faults/lib/bad-input.js';
import { loaders, quiet, TinyRegressor } from '../helpers/tiny-module.js';

const INT_GE_MINUS_1 = 'an integer >= -1';
const LIMIT = 'a fraction in (0, 1] or a non-negative integer count';

/** Every invalid value of every Trainer option that is checked today. */
const TRAINER: BadInput[] = [
  ...[-2, 1.5, '3', Infinity, true].map((value) => ({ option: 'maxEpochs', value, accepts: INT_GE_MINUS_1 })),
  ...[-2, 0.5, '10'].map((value) => ({ option: 'maxSteps', value, accepts: INT_GE_MINUS_1 })),
  ...[-1, 2.5, 'x'].map((value) => ({ option: 'minEpochs', value, accepts: 'a non-negative integer' })),
  ...[-1, 1.5, Number.NaN, Number.NEGATIVE_INFINITY, 'all'].map((value) => ({ option: 'limitTrainBatches', value, accepts: LIMIT })),
  ...[-0.5, 2.5, 'half'].map((value) => ({ option: 'limitValBatches', value, accepts: LIMIT })),
  ...[0, -1, 1.5, '1'].map((value) => ({ option: 'valCheckInterval', value, accepts: 'a fraction in (0, 1] or a positive integer batch count' })),
  ...[0, 1.5, -3, 'every'].map((value) => ({ option: 'checkValEveryNEpoch', value, accepts: 'a positive integer or null' })),
  ...[-2, 1.5, '2'].map((value) => ({ option: 'numSanityValSteps', value, accepts: INT_GE_MINUS_1 })),
  ...[0, -5, 2.5].map((value) => ({ option: 'logEveryNSteps', value, accepts: 'a positive integer' })),
  ...['yes', 1, null].map((value) => ({ option: 'enableCheckpointing', value, accepts: 'a boolean' })),
  ...['no', 0].map((value) => ({ option: 'enableProgressBar', value, accepts: 'a boolean' })),
  ...['', 'runs\0x', 5].map((value) => ({ option: 'defaultRootDir', value, accepts: 'a non-empty path without NUL bytes' })),
  ...['tpu', 'GPU', '', 3].map((value) => ({ option: 'accelerator', value, accepts: "one of 'auto'" })),
  ...[-1, 1.5, '42'].map((value) => ({ option: 'seed', value, accepts: 'a non-negative integer' })),
  ...[-1, 1.5, 'yes'].map((value) => ({ option: 'fastDevRun', value, accepts: 'a boolean or a non-negative integer' })),
  ...['callback', {}].map((value) => ({ option: 'callbacks', value, accepts: 'an array of callbacks' })),
  ...['stderr', 5].map((value) => ({ option: 'print', value, accepts: 'a function' })),
];

const DATA_LOADER: BadInput[] = [
  ...[0, -1, 1.5, '8', Number.NaN].map((value) => ({ option: 'batchSize', value, accepts: 'a positive integer' })),
  ...[-1, 1.5, '7'].map((value) => ({ option: 'seed', value, accepts: 'a non-negative integer' })),
  ...['yes', 1].map((value) => ({ option: 'shuffle', value, accepts: 'a boolean' })),
  ...['true', 1, null].map((value) => ({ option: 'dropLast', value, accepts: 'a boolean' })),
];

describe('bad input: Trainer options', () => {
  it.each(TRAINER.map((row) => [title(row), row] as const))('%s', async (_title, row) => {
    await expectClearRefusal(() => new Trainer({ [row.option]: row.value } as TrainerOptions), row);
  });

  it('minEpochs above maxEpochs names both', async () => {
    await expectClearRefusal(() => new Trainer({ maxEpochs: 2, minEpochs: 3 }), { option: 'minEpochs', value: 3, accepts: 'at most maxEpochs (2)' });
  });

  it('checkValEveryNEpoch null needs a batch-count valCheckInterval', async () => {
    await expectClearRefusal(() => new Trainer({ checkValEveryNEpoch: null }), { option: 'checkValEveryNEpoch', value: null, accepts: 'valCheckInterval is a batch count' });
  });

  it('options that are not an object', async () => {
    await expectClearRefusal(() => new Trainer(null as unknown as TrainerOptions), { option: 'options', value: null, accepts: 'an object' });
  });
});

describe('bad input: DataLoader', () => {
  const dataset = new TensorDataset(tf.zeros([4, 2]));
  it.each(DATA_LOADER.map((row) => [title(row), row] as const))('%s', async (_title, row) => {
    await expectClearRefusal(() => new DataLoader(dataset, { [row.option]: row.value } as DataLoaderOptions), row);
  });

  it.each([5, null, 'samples'])('dataset = %s', async (value) => {
    await expectClearRefusal(() => new DataLoader(value as never), { option: 'dataset', value, accepts: 'a TensorDataset' });
  });

  it.each([null, 8, 'shuffle', [{ batchSize: 2 }]])('options = %j', async (value) => {
    await expectClearRefusal(() => new DataLoader(dataset, value as never), { option: 'options', value, accepts: 'an object' });
  });
});

describe('bad input: fit and saveCheckpoint arguments', () => {
  const { train, val } = loaders(16, 8, 8);
  const trainer = (): Trainer => new Trainer({ ...quiet, accelerator: 'cpu', maxSteps: 1 });

  it.each([5, null, {}])('trainData = %j', async (value) => {
    await expectClearRefusal(() => trainer().fit(new TinyRegressor(), value as never), { option: 'trainData', value, accepts: 'a DataLoader or an (async) iterable of batches' });
  });

  it.each(['best', 'last'])("ckptPath '%s' without a ModelCheckpoint", async (value) => {
    await expectClearRefusal(() => trainer().fit(new TinyRegressor(), train, val, { ckptPath: value }), { option: `ckptPath '${value}'`, value, accepts: 'ModelCheckpoint' });
  });

  it.each(['', 'a\0b.ckpt', 5])('saveCheckpoint path = %j', async (value) => {
    await expectClearRefusal(() => trainer().saveCheckpoint(value as string), { option: 'path', value, accepts: 'a non-empty string without NUL bytes' });
  });

});
