import * as tf from '@tensorflow/tfjs';
import { addPatchRows, batchChunks, patchGeometry } from './conv-patches.js';
import { callSingleOutputKernel } from './kernel-calls.js';
import type { KernelOverride } from './kernel-override.js';
import { asWasmHeapBackend, heapFloats } from './wasm-heap.js';

type Shape4 = [number, number, number, number];

/**
 * `Conv2DBackpropInput` (the gradient a convolution passes to the layer below) as one matrix product per
 * chunk of the batch and a scatter:
 *   dPatches[positions, taps] = dy[positions, outChannels] x filter[taps, outChannels]^T
 * then each row of dPatches is added onto the input positions its taps read (col2im). The product runs
 * in XNNPACK's fast path; wasm's own kernel is a direct loop that took a quarter of a small conv net's
 * training step.
 */
function conv2DBackpropInput({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const wasm = asWasmHeapBackend(backend);
  const { dy, filter } = inputs as unknown as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as tf.Conv2DBackpropInputAttrs;
  const info = tf.backend_util.computeConv2DInfo(
    inputShape, filter.shape as Shape4, strides, 1, pad, dimRoundingMode, false,
    tf.backend_util.convertConv2DDataFormat(dataFormat),
  );
  const geometry = patchGeometry(info);
  const run = (name: string, kernelInputs: tf.NamedTensorInfoMap, kernelAttrs: tf.NamedAttrMap = {}): tf.TensorInfo =>
    callSingleOutputKernel(name, 'wasm', wasm, kernelInputs, kernelAttrs);
  const temporaries: tf.TensorInfo[] = [];
  const keep = (t: tf.TensorInfo): tf.TensorInfo => {
    temporaries.push(t);
    return t;
  };
  const dx = wasm.makeOutput([...inputShape], 'float32');
  try {
    heapFloats(wasm, dx).fill(0);
    const filterRows = keep(run(tf.Reshape, { x: filter }, { shape: [geometry.taps, info.outChannels] }));
    const filterColumns = keep(run(tf.Transpose, { x: filterRows }, { perm: [1, 0] }));
    const dyLast = info.dataFormat === 'channelsLast' ? dy : keep(run(tf.Transpose, { x: dy }, { perm: [0, 2, 3, 1] }));
    const dyRows = keep(run(tf.Reshape, { x: dyLast }, { shape: [info.batchSize * geometry.positionsPerBatch, info.outChannels] }));
    for (const [from, to] of batchChunks(geometry)) {
      const positions = (to - from) * geometry.positionsPerBatch;
      const dyPart = positions === dyRows.shape[0] ? dyRows
        : keep(run(tf.Slice, { x: dyRows }, { begin: [from * geometry.positionsPerBatch, 0], size: [positions, info.outChannels] }));
      const patches = run(tf.BatchMatMul, { a: dyPart, b: filterColumns }, { transposeA: false, transposeB: false });
      try {
        addPatchRows(heapFloats(wasm, patches), geometry, from, to, heapFloats(wasm, dx));
      } finally {
        wasm.disposeData(patches.dataId);
      }
    }
    return dx;
  } catch (error) {
    wasm.disposeData(dx.dataId);
    throw error;
  } finally {
    for (const t of temporaries) wasm.disposeData(t.dataId);
  }
}

export const conv2DBackpropInputAsProduct: KernelOverride = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: 'wasm',
  wrap: () => conv2DBackpropInput,
};
