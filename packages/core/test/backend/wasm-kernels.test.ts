import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src/backend/select-backend.js';
import { CPU_DELEGATED_KERNELS, UNPATCHED_WASM_KERNELS, installWasmKernelPatches } from '../../src/backend/wasm-kernels.js';
import { seeded, wasmVsCpu } from './helpers.js';

function kernelNames(backend: string): Set<string> {
  return new Set(tf.getKernelsForBackend(backend).map((k) => k.kernelName));
}

describe('wasm kernel patches', () => {
  it('leave missing on wasm exactly the kernels documented as not delegable', async () => {
    await selectBackend('wasm');
    const wasm = kernelNames('wasm');
    const missing = [...kernelNames('cpu')].filter((name) => !wasm.has(name)).sort();
    expect(missing).toEqual(Object.keys(UNPATCHED_WASM_KERNELS).sort());
    for (const name of [tf.Conv2DBackpropFilter, tf.UnsortedSegmentSum, ...CPU_DELEGATED_KERNELS]) expect(wasm.has(name)).toBe(true);
  });

  it('are idempotent', async () => {
    await selectBackend('wasm');
    expect(installWasmKernelPatches()).toEqual([]);
    await selectBackend('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('Conv2DBackpropFilter matches cpu beyond what layers use: NCHW, stride 3, numeric and explicit padding', async () => {
    const configs: { dataFormat: 'NHWC' | 'NCHW'; strides: [number, number]; pad: tf.Conv2DBackpropFilterAttrs['pad'] }[] = [
      { dataFormat: 'NCHW', strides: [2, 1], pad: 'same' },
      { dataFormat: 'NHWC', strides: [3, 3], pad: 'valid' },
      { dataFormat: 'NHWC', strides: [2, 2], pad: 1 },
      { dataFormat: 'NHWC', strides: [3, 2], pad: [[0, 0], [2, 1], [0, 2], [0, 0]] },
      { dataFormat: 'NCHW', strides: [1, 2], pad: [[0, 0], [0, 0], [1, 0], [2, 2]] },
    ];
    for (const { dataFormat, strides, pad } of configs) {
      const filterShape: [number, number, number, number] = [3, 2, 3, 4];
      const errors = await wasmVsCpu(() => {
        const nchw = dataFormat === 'NCHW';
        const x = tf.tensor4d(seeded(2 * 3 * 10 * 9, 1), nchw ? [2, 3, 10, 9] : [2, 10, 9, 3]);
        const info = tf.backend_util.computeConv2DInfo(
          x.shape, filterShape, strides, 1, pad, undefined, false, nchw ? 'channelsFirst' : 'channelsLast',
        );
        const dy = tf.tensor4d(seeded(info.outShape.reduce((a, b) => a * b, 1), 2), info.outShape);
        const dw = tf.engine().runKernel<tf.Tensor>(tf.Conv2DBackpropFilter, { x, dy }, { strides, pad, dataFormat, filterShape });
        tf.dispose([x, dy]);
        return [dw];
      });
      expect(errors[0]).toBeLessThan(1e-5);
    }
  });

  it('delegate single- and multi-output kernels to cpu with identical results', async () => {
    const errors = await wasmVsCpu(() => {
      const a = tf.tensor2d(seeded(12, 1), [3, 4]);
      const b = tf.tensor2d(seeded(20, 2), [4, 5]);
      const ragged = tf.raggedRange(tf.tensor1d([0, 5, 2], 'int32'), tf.tensor1d([4, 6, 9], 'int32'), tf.tensor1d([1, 1, 3], 'int32'));
      const outputs = [
        tf.einsum('ij,jk->ik', a, b),
        ragged.rtNestedSplits,
        ragged.rtDenseValues,
      ];
      return outputs.filter((t): t is tf.Tensor => t !== undefined);
    });
    expect(errors).toEqual([0, 0, 0]);
  });

  it('UnsortedSegmentSum matches cpu: float and int data, rows of rank 2, ids out of range dropped', async () => {
    const errors = await wasmVsCpu(() => {
      const ids = tf.tensor1d([3, 0, -1, 3, 1, 4], 'int32');
      const x = tf.tensor3d(seeded(6 * 2 * 5, 1), [6, 2, 5]);
      const xInt = tf.tensor3d(Int32Array.from(seeded(6 * 2 * 5, 2), (v) => Math.round(v * 100)), [6, 2, 5], 'int32');
      return [tf.unsortedSegmentSum(x, ids, 4), tf.unsortedSegmentSum(xInt, ids, 4)];
    });
    expect(errors).toEqual([0, 0]);
  });

  it('free every temporary buffer, on wasm and on cpu', async () => {
    await selectBackend('wasm');
    const wasm = tf.findBackend('wasm');
    const cpu = tf.findBackend('cpu');
    const run = (): void => tf.tidy(() => {
      const x = tf.tensor4d(seeded(2 * 6 * 6 * 3, 1), [2, 6, 6, 3]);
      const f = tf.tensor4d(seeded(3 * 3 * 3 * 2, 2), [3, 3, 3, 2]);
      tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same')))([x, f]);
      tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same')))([x, f]);
      tf.unsortedSegmentSum(x, tf.tensor1d([1, 0], 'int32'), 2);
      tf.grads((a: tf.Tensor) => tf.sum(tf.add(tf.maxPool(a as tf.Tensor4D, 2, 2, 'same'), tf.avgPool(a as tf.Tensor4D, 2, 2, 'same'))))([x]);
      tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.matMul(a, b, true, true)))([tf.reshape(x, [12, 18]), tf.reshape(x, [18, 12])]);
      // More than 16 input channels: the filter gradient's other strategy.
      const wide = tf.tile(x, [1, 1, 1, 6]);
      tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same')))([wide, tf.ones([3, 3, 18, 2])]);
    });
    run(); // first use may allocate lasting state (cpu backend start-up)
    const before = [wasm.numDataIds(), cpu.numDataIds()];
    run();
    expect([wasm.numDataIds(), cpu.numDataIds()]).toEqual(before);
  });
});
