import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { selectBackend, type Accelerator } from '../../src/backend/select-backend.js';
import { captureOptimizer } from '../../src/checkpoint/optimizer-state.js';
import { shareTensor } from '../../src/checkpoint/tensor-memory.js';

/** A variable that holds the only reference to its buffer (tf.variable shares its initial tensor's). */
function ownedVariable(init: tf.Tensor, name: string): tf.Variable {
  const variable = tf.variable(init, true, name);
  init.dispose();
  return variable;
}

const bits = (t: tf.Tensor): number[] => Array.from(new Uint32Array(t.dataSync().slice().buffer));

describe.each<Accelerator>(['cpu', 'wasm'])('snapshot handles on %s share buffers and stay exact', (accelerator) => {
  it('shareTensor allocates no buffer and keeps the old values across assign and dispose', async () => {
    await selectBackend(accelerator);
    const variable = ownedVariable(tf.tensor1d([1.5, -2.25, 3e-7, 4]), `share-${accelerator}-a`);
    const before = bits(variable);
    const buffers = tf.memory().numDataBuffers;
    const snapshot = shareTensor(variable);
    expect(tf.memory().numDataBuffers).toBe(buffers);
    expect(snapshot).not.toBeInstanceOf(tf.Variable);
    expect(snapshot.shape).toEqual([4]);
    expect(snapshot.dtype).toBe('float32');

    variable.assign(tf.tensor1d([9, 9, 9, 9]));
    expect(bits(snapshot)).toEqual(before);
    expect(Array.from(variable.dataSync())).toEqual([9, 9, 9, 9]);

    variable.dispose();
    expect(bits(snapshot)).toEqual(before);
    const tensors = tf.memory().numTensors;
    snapshot.dispose();
    expect(snapshot.isDisposed).toBe(true);
    expect(tf.memory().numTensors).toBe(tensors - 1);
  });

  it('disposing the snapshot leaves the variable intact', async () => {
    await selectBackend(accelerator);
    const variable = ownedVariable(tf.tensor2d([[1, 2], [3, 4]]), `share-${accelerator}-b`);
    const buffers = tf.memory().numDataBuffers;
    shareTensor(variable).dispose();
    expect(tf.memory().numDataBuffers).toBe(buffers);
    expect(Array.from(variable.dataSync())).toEqual([1, 2, 3, 4]);
    variable.dispose();
    expect(tf.memory().numDataBuffers).toBe(buffers - 1);
  });

  it('an optimizer snapshot is unchanged by later optimizer steps', async () => {
    await selectBackend(accelerator);
    const w = ownedVariable(tf.tensor1d([0.5, -0.25, 2]), `share-${accelerator}-w`);
    const optimizer = tf.train.adam(0.1);
    const step = () => optimizer.minimize(() => tf.sum(tf.square(tf.sub(w, tf.tensor1d([1, 2, 3])))));
    step();
    step();
    const state = await captureOptimizer(optimizer, new Map([[w.name, 'w']]));
    const weightSnapshot = shareTensor(w);
    const expected = state.weights.map(bits);
    const expectedWeight = bits(weightSnapshot);
    step();
    step();
    expect(bits(w)).not.toEqual(expectedWeight);
    expect(state.weights.map(bits)).toEqual(expected);
    expect(bits(weightSnapshot)).toEqual(expectedWeight);
    tf.dispose([...state.weights, weightSnapshot]);
    optimizer.dispose();
    w.dispose();
  });

  it('a disposed tensor is refused as clone() refuses it', async () => {
    await selectBackend(accelerator);
    const t = tf.tensor1d([1]);
    t.dispose();
    expect(() => shareTensor(t)).toThrow(/disposed/);
  });
});
