import * as tf from '@tensorflow/tfjs';
import type { KernelOverride } from './kernel-override.js';
import { forEachPoolWindow } from './pool-windows.js';
import { asWasmHeapBackend, heapFloats } from './wasm-heap.js';

/**
 * MaxPoolGrad in one pass over the pooling windows: each window's gradient goes to the first position
 * holding its maximum (scanning rows, then columns), as the cpu backend decides; a window with no value
 * above -Infinity (all NaN) passes none. wasm's own kernel took about a quarter of a small conv net's
 * training step; this reads x and dy once, straight from the wasm heap. NHWC, as tfjs' op always passes.
 */
function maxPoolGrad({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const wasm = asWasmHeapBackend(backend);
  const { dy, input } = inputs as unknown as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const { inWidth, inChannels: channels } = info;

  const out = wasm.makeOutput([...input.shape], 'float32');
  const dx = heapFloats(wasm, out);
  const x = heapFloats(wasm, input);
  const g = heapFloats(wasm, dy);
  dx.fill(0);
  const rowStride = inWidth * channels;
  // Running maximum and its index per channel: the window is scanned position by position, reading each
  // position's channels contiguously.
  const best = new Float32Array(channels);
  const at = new Int32Array(channels);
  forEachPoolWindow(info, (batchStart, rowFrom, rowTo, colFrom, colTo, dyStart) => {
    best.fill(Number.NEGATIVE_INFINITY);
    at.fill(-1);
    for (let r = rowFrom; r < rowTo; r++) {
      for (let col = colFrom; col < colTo; col++) {
        const position = batchStart + r * rowStride + col * channels;
        for (let c = 0; c < channels; c++) {
          const v = x[position + c]!;
          if (v > best[c]!) {
            best[c] = v;
            at[c] = position + c;
          }
        }
      }
    }
    for (let c = 0; c < channels; c++) {
      const i = at[c]!;
      if (i >= 0) dx[i] = dx[i]! + g[dyStart + c]!;
    }
  });
  return out;
}

export const maxPoolGradFromWindows: KernelOverride = {
  kernelName: tf.MaxPoolGrad,
  backendName: 'wasm',
  wrap: () => maxPoolGrad,
};
