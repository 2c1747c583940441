import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { loadCheckpoint, readCheckpointMetadata, resetRandom, Trainer } from '../../src/index.js';
import { loaders, quiet, TinyRegressor, weightValues } from '../helpers/tiny-module.js';

/**
 * A checkpoint written by Cairn at format version 1 (crc32 checksum), committed as bytes: every
 * later reader must still load it. Written by a one-epoch fit of TinyRegressor (seed 4, cpu).
 */
const FIXTURE = fileURLToPath(new URL('../fixtures/checkpoints/format-v1-tiny-regressor.ckpt', import.meta.url));

/** Element count, first and last value of each weight, as the writer saved them. */
const SAVED = {
  'net.0.kernel': [24, -0.6604843735694885, 0.11926251649856567],
  'net.0.bias': [8, 0.04685855656862259, -0.04033057391643524],
  'net.2.kernel': [8, -0.20950932800769806, -0.2648632824420929],
  'net.2.bias': [1, -0.006769588682800531, -0.006769588682800531],
};

const summary = (weights: Record<string, number[]>): Record<string, number[]> =>
  Object.fromEntries(Object.entries(weights).map(([name, v]) => [name, [v.length, v[0]!, v[v.length - 1]!]]));

afterEach(() => resetRandom());

describe('a committed format-1 checkpoint', () => {
  it('is verified and loads with its weights, optimizer slots and progress', async () => {
    const metadata = await readCheckpointMetadata(FIXTURE);
    expect([metadata['format'], metadata['format_version'], metadata['checksum']?.slice(0, 6)]).toEqual(['cairn.ckpt', '1', 'crc32:']);
    const state = await loadCheckpoint(FIXTURE);
    expect(state.globalStep).toBe(5);
    expect(summary(Object.fromEntries([...state.weights].map(([name, t]) => [name, Array.from(t.dataSync())])))).toEqual(SAVED);
    expect(state.optimizer?.className).toBe('Adam');
    expect(state.optimizer?.weights.length).toBeGreaterThan(0);
    for (const t of [...state.weights.values(), ...(state.optimizer?.weights ?? [])]) t.dispose();
  });

  it('builds a module with loadFromCheckpoint and resumes a fit', async () => {
    expect(summary(weightValues(await TinyRegressor.loadFromCheckpoint(FIXTURE)))).toEqual(SAVED);
    const trainer = new Trainer({ ...quiet, accelerator: 'cpu', maxEpochs: 2 });
    await trainer.fit(new TinyRegressor(), loaders().train, undefined, { ckptPath: FIXTURE });
    expect(trainer.globalStep).toBe(10);
  });
});
