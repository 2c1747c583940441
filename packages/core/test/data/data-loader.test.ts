import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { DataLoader, TensorDataset } from '../../src/index.js';

const ids = (n: number): tf.Tensor => tf.range(0, n, 1, 'float32').reshape([n, 1]);
const flat = (batch: tf.Tensor[]): number[] => Array.from(batch[0]!.dataSync());

function epochOrder(loader: DataLoader<tf.Tensor[]>, epoch: number): number[][] {
  return [...loader.epochBatches(epoch)].map(flat);
}

describe('DataLoader', () => {
  it('batches in order without shuffle, last batch smaller unless dropLast', () => {
    const loader = new DataLoader(new TensorDataset(ids(10)), { batchSize: 4 });
    expect(loader.length).toBe(3);
    expect(epochOrder(loader, 0)).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    const dropping = new DataLoader(new TensorDataset(ids(10)), { batchSize: 4, dropLast: true });
    expect(dropping.length).toBe(2);
    expect(epochOrder(dropping, 0)).toEqual([[0, 1, 2, 3], [4, 5, 6, 7]]);
  });

  it('shuffles each epoch by a permutation of (seed, epoch) alone', () => {
    const make = (): DataLoader<tf.Tensor[]> => new DataLoader(new TensorDataset(ids(20)), { batchSize: 5, shuffle: true, seed: 11 });
    const a = make();
    const e0 = epochOrder(a, 0);
    const e1 = epochOrder(a, 1);
    expect(e0.flat().sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(e0).not.toEqual(e1);
    // A fresh loader asked straight for epoch 1 (a resumed run) gives the same order.
    expect(epochOrder(make(), 1)).toEqual(e1);
    const other = new DataLoader(new TensorDataset(ids(20)), { batchSize: 5, shuffle: true, seed: 12 });
    expect(epochOrder(other, 0)).not.toEqual(e0);
  });

  it('saves and restores its position so a resumed epoch neither replays nor skips', () => {
    const a = new DataLoader(new TensorDataset(ids(20)), { batchSize: 4, shuffle: true, seed: 5 });
    const full = epochOrder(new DataLoader(new TensorDataset(ids(20)), { batchSize: 4, shuffle: true, seed: 5 }), 2);
    const it = a.epochBatches(2);
    const first = [flat(it.next().value as tf.Tensor[]), flat(it.next().value as tf.Tensor[])];
    const state = a.stateDict();
    expect(state).toEqual({ epoch: 2, position: 2, seed: 5 });
    const b = new DataLoader(new TensorDataset(ids(20)), { batchSize: 4, shuffle: true });
    b.loadStateDict(JSON.parse(JSON.stringify(state)));
    const rest = [...b.epochBatches(2)].map(flat);
    expect([...first, ...rest]).toEqual(full);
  });

  it('draws an unset seed once from the global stream and keeps it in its state', () => {
    const loader = new DataLoader(new TensorDataset(ids(8)), { batchSize: 2, shuffle: true });
    expect(loader.stateDict().seed).toBeNull();
    epochOrder(loader, 0);
    expect(typeof loader.stateDict().seed).toBe('number');
  });

  it('collates arrays of samples (numbers, tuples, records)', () => {
    const loader = new DataLoader([{ x: [1, 2], y: 0 }, { x: [3, 4], y: 1 }, { x: [5, 6], y: 0 }], { batchSize: 2 });
    const [batch] = [...loader.epochBatches(0)] as unknown as { x: tf.Tensor[]; y: tf.Tensor }[];
    expect(batch!.x.map((t) => Array.from(t.dataSync()))).toEqual([[1, 3], [2, 4]]);
    expect(Array.from(batch!.y.dataSync())).toEqual([0, 1]);
  });

  it('validates its options', () => {
    expect(() => new DataLoader([1, 2], { batchSize: 0 })).toThrow(/batchSize must be a positive integer/);
    expect(() => new DataLoader([1, 2], { seed: -1 })).toThrow(/seed/);
    expect(() => new DataLoader(42 as never)).toThrow(/dataset must be/);
    expect(() => new TensorDataset(tf.ones([3, 1]), tf.ones([4, 1]))).toThrow(/tensor 1 has 4 samples, tensor 0 has 3/);
  });
});
