import * as tf from '@tensorflow/tfjs';
import { asKernelBackend, callSingleOutputKernel } from './kernel-calls.js';

type Shape4 = [number, number, number, number];

/**
 * `Conv2DBackpropFilter` for the wasm backend, which ships without it (so no conv layer can train there).
 *
 * The filter gradient is itself a convolution:
 *   dW[kh, kw, ci, co] = sum over b, oh, ow of  xPadded[b, oh*s + kh, ow*s + kw, ci] * dy[b, oh, ow, co]
 * Transposing x to [ci, H, W, b] (batch becomes the channel axis) and dy to [OH, OW, b, co] turns this into
 * a forward Conv2D of x by the "filter" dy with dilation = stride and stride 1, whose output is
 * [ci, KH, KW, co]. The original padding becomes explicit padding of that convolution; rows and columns the
 * forward pass never reached (when (H + pads - KH) is not a multiple of the stride) are sliced off first.
 * Everything runs in XNNPACK, so it is as fast as the forward convolution rather than cpu speed.
 */
function conv2DBackpropFilter({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const wasm = asKernelBackend(backend);
  // Inputs and attributes come from tfjs' own conv2DBackpropFilter op, which fixes their shape.
  const { x, dy } = inputs as unknown as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;

  const info = tf.backend_util.computeConv2DInfo(
    x.shape as Shape4, filterShape, strides, 1, pad, dimRoundingMode, false,
    tf.backend_util.convertConv2DDataFormat(dataFormat),
  );
  const { strideHeight, strideWidth, filterHeight, filterWidth, outHeight, outWidth, inHeight, inWidth, inChannels } = info;
  const { top, left } = info.padInfo;
  // Input extent the forward pass actually read, padding included.
  const spanHeight = (outHeight - 1) * strideHeight + filterHeight;
  const spanWidth = (outWidth - 1) * strideWidth + filterWidth;
  const bottom = spanHeight - inHeight - top;
  const right = spanWidth - inWidth - left;
  const channelsLast = info.dataFormat === 'channelsLast';

  const run = (name: string, kernelInputs: tf.NamedTensorInfoMap, kernelAttrs: tf.NamedAttrMap): tf.TensorInfo =>
    callSingleOutputKernel(name, 'wasm', wasm, kernelInputs, kernelAttrs);
  const temporaries: tf.TensorInfo[] = [];
  const keep = (t: tf.TensorInfo): tf.TensorInfo => {
    temporaries.push(t);
    return t;
  };
  try {
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
    return run(tf.Transpose, { x: dW }, { perm: [1, 2, 0, 3] });
  } finally {
    for (const t of temporaries) wasm.disposeData(t.dataId);
  }
}

export const conv2DBackpropFilterWasmConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter,
};
