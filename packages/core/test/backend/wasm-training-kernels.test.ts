import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src/backend/select-backend.js';
import { seeded, wasmVsCpu } from './helpers.js';

/**
 * Cairn's faster wasm versions of the kernels on the training paths (matmul with a transposed operand,
 * pooling gradients, both convolution gradients), each checked by gradients of a scalar loss against the
 * cpu backend. Inputs come from fixed seeds, so both backends see identical numbers.
 */
const TOLERANCE = 1e-5;

type Tensors = tf.Tensor[];

/** Gradients of sum(f(inputs) * probe) w.r.t. every input, with a seeded probe of f's output shape. */
function gradientsOf(f: (...inputs: tf.Tensor[]) => tf.Tensor, inputs: Tensors): Tensors {
  const outShape = tf.tidy(() => f(...inputs).shape);
  const probe = tf.tensor(seeded(outShape.reduce((a, b) => a * b, 1), 99), outShape);
  const grads = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs), probe)))(inputs);
  tf.dispose([probe, ...inputs]);
  return grads;
}

const t = (shape: number[], seed: number): tf.Tensor => tf.tensor(seeded(shape.reduce((a, b) => a * b, 1), seed), shape);

/** Values and dtypes computed on wasm and on cpu, for kernels that must agree exactly. */
async function wasmVsCpuExact(compute: () => Tensors): Promise<{ wasm: unknown[]; cpu: unknown[] }> {
  const on = async (backend: 'wasm' | 'cpu'): Promise<unknown[]> => {
    await selectBackend(backend, { print: () => {} });
    const out = compute();
    const values = out.map((x) => [x.dtype, x.shape, x.arraySync()]);
    tf.dispose(out);
    return values;
  };
  return { wasm: await on('wasm'), cpu: await on('cpu') };
}

async function expectCloseToCpu(compute: () => Tensors): Promise<void> {
  const errors = await wasmVsCpu(compute);
  for (const e of errors) expect(e).toBeLessThan(TOLERANCE);
}

describe('wasm training kernels match cpu', () => {
  it('slice: contiguous row ranges (copied in place) and other slices, forward and gradient, every dtype', async () => {
    await expectCloseToCpu(() => [
      ...gradientsOf((x) => tf.slice(x!, [3], [4]), [t([10, 6], 1)]),
      ...gradientsOf((x) => tf.slice(x!, [1, 2], [2, 3]), [t([4, 5, 3], 2)]),
      ...gradientsOf((x) => tf.slice(x!, [0, 1, 0], [2, 2, 3]), [t([3, 4, 3], 3)]),
      ...gradientsOf((x) => tf.slice(x!, [2, 0], [1, -1]), [t([5, 7], 4)]),
    ]);
    for (const dtype of ['int32', 'bool'] as const) {
      const values = await wasmVsCpuExact(() => {
        const x = tf.tensor(Array.from({ length: 24 }, (_, i) => i % 3), [6, 4], dtype);
        return [tf.slice(x, [2], [3]), tf.slice(x, [1, 1], [2, 2]), tf.slice(x, [5, 0], [1, 4])];
      });
      expect(values.wasm).toEqual(values.cpu);
    }
  });

  it('matMul with either operand transposed, batched, plain and fused', async () => {
    for (const [transposeA, transposeB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      await expectCloseToCpu(() => [
        ...gradientsOf((a, b) => tf.matMul(a!, b!, transposeA, transposeB), [t(transposeA ? [7, 5] : [5, 7], 1), t(transposeB ? [3, 7] : [7, 3], 2)]),
        ...gradientsOf((a, b) => tf.matMul(a!, b!, transposeA, transposeB), [t(transposeA ? [2, 4, 6, 5] : [2, 4, 5, 6], 3), t(transposeB ? [2, 4, 3, 6] : [2, 4, 6, 3], 4)]),
        ...gradientsOf((a, b, bias) => tf.fused.matMul({ a: a!, b: b!, transposeA, transposeB, bias, activation: 'relu' }), [
          t(transposeA ? [9, 4] : [4, 9], 5), t(transposeB ? [6, 9] : [9, 6], 6), t([6], 7),
        ]),
      ]);
    }
  });

  // Pools with a numeric pad are left out: wasm's forward MaxPool and AvgPool miscompute them (tfjs 4.22:
  // wrong output shape, then a heap overrun), so no training reaches the gradient that way.
  it('maxPool gradient: first maximum of a tied window, overlapping windows, padding, all -Infinity windows', async () => {
    // relu makes whole windows of zeros: the gradient must go to the first one only, as on cpu.
    const input = (): tf.Tensor => tf.relu(t([2, 9, 8, 3], 1));
    const cases: { filterSize: [number, number]; strides: [number, number]; pad: 'same' | 'valid' }[] = [
      { filterSize: [2, 2], strides: [2, 2], pad: 'valid' },
      { filterSize: [3, 3], strides: [1, 1], pad: 'same' },
      { filterSize: [3, 2], strides: [2, 3], pad: 'same' },
    ];
    for (const { filterSize, strides, pad } of cases) {
      await expectCloseToCpu(() => gradientsOf((x) => tf.maxPool(x as tf.Tensor4D, filterSize, strides, pad), [input()]));
    }
    await expectCloseToCpu(() => gradientsOf((x) => tf.maxPool(tf.concat([x!, tf.fill([1, 4, 4, 2], -Infinity)]) as tf.Tensor4D, 2, 2, 'valid'), [t([1, 4, 4, 2], 2)]));
  });

  it('avgPool gradient: non-overlapping, overlapping, padded windows', async () => {
    const cases: { filterSize: [number, number]; strides: [number, number]; pad: 'same' | 'valid' }[] = [
      { filterSize: [2, 2], strides: [2, 2], pad: 'valid' },
      { filterSize: [3, 3], strides: [1, 1], pad: 'same' },
      { filterSize: [3, 2], strides: [2, 3], pad: 'same' },
    ];
    for (const { filterSize, strides, pad } of cases) {
      await expectCloseToCpu(() => gradientsOf((x) => tf.avgPool(x as tf.Tensor4D, filterSize, strides, pad), [t([2, 9, 8, 3], 1)]));
    }
  });

  it('conv2d gradients (input and filter): strides, paddings, few and many input channels', async () => {
    // wasm's forward Conv2D is NHWC only and miscomputes numeric padding, so training reaches these kernels
    // with NHWC and 'same' or 'valid' only; the other layouts and paddings are checked directly below.
    const cases: { inChannels: number; strides: [number, number]; pad: 'same' | 'valid' }[] = [
      { inChannels: 3, strides: [1, 1], pad: 'same' },
      { inChannels: 3, strides: [2, 2], pad: 'valid' },
      { inChannels: 2, strides: [2, 3], pad: 'same' },
      // Above 16 input channels the filter gradient takes its other strategy (a forward convolution).
      { inChannels: 20, strides: [2, 2], pad: 'same' },
      { inChannels: 18, strides: [1, 2], pad: 'valid' },
    ];
    for (const { inChannels, strides, pad } of cases) {
      await expectCloseToCpu(() => gradientsOf(
        (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, strides, pad),
        [t([2, 10, 9, inChannels], 1), t([3, 2, inChannels, 4], 2)],
      ));
    }
  });

  it('Conv2DBackpropInput called directly: NCHW, numeric and explicit padding', async () => {
    const cases: { dataFormat: 'NHWC' | 'NCHW'; strides: [number, number]; pad: tf.Conv2DBackpropInputAttrs['pad'] }[] = [
      { dataFormat: 'NCHW', strides: [1, 1], pad: 'same' },
      { dataFormat: 'NCHW', strides: [2, 3], pad: 'valid' },
      { dataFormat: 'NHWC', strides: [3, 2], pad: 1 },
      { dataFormat: 'NHWC', strides: [2, 2], pad: [[0, 0], [2, 1], [0, 2], [0, 0]] },
    ];
    for (const { dataFormat, strides, pad } of cases) {
      await expectCloseToCpu(() => {
        const nchw = dataFormat === 'NCHW';
        const inputShape: [number, number, number, number] = nchw ? [2, 3, 10, 9] : [2, 10, 9, 3];
        const info = tf.backend_util.computeConv2DInfo(inputShape, [3, 2, 3, 4], strides, 1, pad, undefined, false, nchw ? 'channelsFirst' : 'channelsLast');
        const dy = t(info.outShape, 1);
        const filter = t([3, 2, 3, 4], 2);
        const dx = tf.engine().runKernel<tf.Tensor>(tf.Conv2DBackpropInput, { dy, filter }, { strides, pad, dataFormat, inputShape });
        tf.dispose([dy, filter]);
        return [dx];
      });
    }
  });

  it('conv2d gradients over a batch split into several chunks', async () => {
    // 64 x 64 positions x 3 x 3 x 16 taps is about 590 thousand floats per image: 8 images make two chunks.
    await expectCloseToCpu(() => gradientsOf(
      (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'),
      [t([8, 64, 64, 16], 1), t([3, 3, 16, 2], 2)],
    ));
  });
});
