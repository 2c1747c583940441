import * as tf from '@tensorflow/tfjs';
import type { KernelOverride } from './kernel-override.js';
import { forEachPoolWindow } from './pool-windows.js';
import { asWasmHeapBackend, heapFloats } from './wasm-heap.js';

/**
 * AvgPoolGrad in one pass over the pooling windows: each window spreads dy / (filter area) over the
 * input positions it covers. The divisor is the full filter area even where padding cuts the window,
 * as in the cpu backend (and TensorFlow's average pooling gradient with padding 'valid' or 'same').
 * NHWC, as tfjs' op always passes; reads dy straight from the wasm heap.
 */
function avgPoolGrad({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const wasm = asWasmHeapBackend(backend);
  const { dy, input } = inputs as unknown as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const { filterSize, strides, pad } = attrs as unknown as tf.AvgPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad);
  const { inWidth, inChannels: channels, filterHeight, filterWidth } = info;
  const scale = 1 / (filterHeight * filterWidth);

  const out = wasm.makeOutput([...input.shape], 'float32');
  const dx = heapFloats(wasm, out);
  const g = heapFloats(wasm, dy);
  dx.fill(0);
  const rowStride = inWidth * channels;
  forEachPoolWindow(info, (batchStart, rowFrom, rowTo, colFrom, colTo, dyStart) => {
    for (let r = rowFrom; r < rowTo; r++) {
      for (let col = colFrom; col < colTo; col++) {
        const at = batchStart + r * rowStride + col * channels;
        for (let c = 0; c < channels; c++) dx[at + c] = dx[at + c]! + g[dyStart + c]! * scale;
      }
    }
  });
  return out;
}

export const avgPoolGradFromWindows: KernelOverride = {
  kernelName: tf.AvgPoolGrad,
  backendName: 'wasm',
  wrap: () => avgPoolGrad,
};
