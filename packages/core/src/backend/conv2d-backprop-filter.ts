import * as tf from '@tensorflow/tfjs';
import { batchChunks, fillTapRows, patchGeometry, type PatchGeometry } from './conv-patches.js';
import { callSingleOutputKernel } from './kernel-calls.js';
import { asWasmHeapBackend, heapFloats, type WasmHeapBackend } from './wasm-heap.js';

type Shape4 = [number, number, number, number];
type Run = (name: string, inputs: tf.NamedTensorInfoMap, attrs?: tf.NamedAttrMap) => tf.TensorInfo;

/**
 * Up to this many input channels the filter gradient is computed as a matrix product over an im2col
 * matrix; above it, as a forward convolution. Measured on the conv nets of the benchmarks (wasm, 2 cores):
 * the product was 2 to 4 times faster with 1 and 16 input channels, the convolution 2.6 times faster with
 * 32 (building the im2col matrix, 9 values per input value, then dominates).
 */
const PRODUCT_MAX_IN_CHANNELS = 16;

/**
 * dW[taps, outChannels] = columns[taps, positions] x dy[positions, outChannels], one product per chunk of
 * the batch, where `columns` holds the input value each filter tap saw at each output position (im2col,
 * built transposed), and the product runs in XNNPACK's fast path.
 */
function asProduct(wasm: WasmHeapBackend, run: Run, keep: (t: tf.TensorInfo) => tf.TensorInfo, x: tf.TensorInfo, dyRows: tf.TensorInfo, geometry: PatchGeometry): tf.TensorInfo {
  const { outChannels } = geometry.info;
  let sum: tf.TensorInfo | undefined;
  for (const [from, to] of batchChunks(geometry)) {
    const positions = (to - from) * geometry.positionsPerBatch;
    const columns = keep(wasm.makeOutput([geometry.taps, positions], 'float32'));
    fillTapRows(heapFloats(wasm, x), geometry, from, to, heapFloats(wasm, columns));
    const dyPart = positions === dyRows.shape[0] ? dyRows
      : keep(run(tf.Slice, { x: dyRows }, { begin: [from * geometry.positionsPerBatch, 0], size: [positions, outChannels] }));
    const part = keep(run(tf.BatchMatMul, { a: columns, b: dyPart }, { transposeA: false, transposeB: false }));
    sum = sum === undefined ? part : keep(run(tf.Add, { a: sum, b: part }));
  }
  if (sum !== undefined) return sum;
  const zeros = keep(wasm.makeOutput([geometry.taps, outChannels], 'float32'));
  heapFloats(wasm, zeros).fill(0);
  return zeros;
}

/**
 * The filter gradient as a forward convolution:
 *   dW[kh, kw, ci, co] = sum over b, oh, ow of  xPadded[b, oh*s + kh, ow*s + kw, ci] * dy[b, oh, ow, co]
 * Transposing x to [ci, H, W, b] (batch becomes the channel axis) and dy to [OH, OW, b, co] makes this a
 * Conv2D of x by the "filter" dy with dilation = stride and stride 1, whose output is [ci, KH, KW, co]. The
 * original padding becomes explicit padding; rows and columns the forward pass never reached (when
 * (H + pads - KH) is not a multiple of the stride) are sliced off first. Returns [ci, KH, KW, co] reordered
 * to [KH, KW, ci, co].
 */
function asConvolution(run: Run, keep: (t: tf.TensorInfo) => tf.TensorInfo, x: tf.TensorInfo, dy: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo {
  const { strideHeight, strideWidth, filterHeight, filterWidth, outHeight, outWidth, inHeight, inWidth, inChannels } = info;
  const { top, left } = info.padInfo;
  // Input extent the forward pass actually read, padding included.
  const bottom = (outHeight - 1) * strideHeight + filterHeight - inHeight - top;
  const right = (outWidth - 1) * strideWidth + filterWidth - inWidth - left;
  const channelsLast = info.dataFormat === 'channelsLast';
  let xT = keep(run(tf.Transpose, { x }, { perm: channelsLast ? [3, 1, 2, 0] : [1, 2, 3, 0] }));
  if (bottom < 0 || right < 0) {
    const size = [inChannels, inHeight + Math.min(bottom, 0), inWidth + Math.min(right, 0), xT.shape[3] ?? 0];
    xT = keep(run(tf.Slice, { x: xT }, { begin: [0, 0, 0, 0], size }));
  }
  const dyT = keep(run(tf.Transpose, { x: dy }, { perm: channelsLast ? [1, 2, 0, 3] : [2, 3, 0, 1] }));
  const explicitPad: tf.backend_util.ExplicitPadding = [[0, 0], [top, Math.max(bottom, 0)], [left, Math.max(right, 0)], [0, 0]];
  const dW = keep(run(tf.Conv2D, { x: xT, filter: dyT }, {
    strides: [1, 1], pad: explicitPad, dataFormat: 'NHWC', dilations: [strideHeight, strideWidth],
  }));
  return keep(run(tf.Transpose, { x: dW }, { perm: [1, 2, 0, 3] }));
}

/**
 * `Conv2DBackpropFilter` for the wasm backend, which ships without it (so no conv layer could train
 * there). Both strategies run their arithmetic in XNNPACK; see PRODUCT_MAX_IN_CHANNELS for the choice.
 */
function conv2DBackpropFilter({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const wasm = asWasmHeapBackend(backend);
  // Inputs and attributes come from tfjs' own conv2DBackpropFilter op, which fixes their shape.
  const { x, dy } = inputs as unknown as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as Shape4, filterShape, strides, 1, pad, dimRoundingMode, false,
    tf.backend_util.convertConv2DDataFormat(dataFormat),
  );
  const run: Run = (name, kernelInputs, kernelAttrs = {}) => callSingleOutputKernel(name, 'wasm', wasm, kernelInputs, kernelAttrs);
  const temporaries: tf.TensorInfo[] = [];
  const keep = (t: tf.TensorInfo): tf.TensorInfo => {
    temporaries.push(t);
    return t;
  };
  try {
    if (info.inChannels > PRODUCT_MAX_IN_CHANNELS) return run(tf.Reshape, { x: asConvolution(run, keep, x, dy, info) }, { shape: [...filterShape] });
    const geometry = patchGeometry(info);
    const dyLast = info.dataFormat === 'channelsLast' ? dy : keep(run(tf.Transpose, { x: dy }, { perm: [0, 2, 3, 1] }));
    const dyRows = keep(run(tf.Reshape, { x: dyLast }, { shape: [info.batchSize * geometry.positionsPerBatch, info.outChannels] }));
    return run(tf.Reshape, { x: asProduct(wasm, run, keep, x, dyRows, geometry) }, { shape: [...filterShape] });
  } finally {
    for (const t of temporaries) wasm.disposeData(t.dataId);
  }
}

export const conv2DBackpropFilterWasmConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter,
};
