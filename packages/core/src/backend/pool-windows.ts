import type * as tf from '@tensorflow/tfjs';

/** The input rows [rowFrom[oh], rowTo[oh]) and columns [colFrom[ow], colTo[ow]) each pooling window covers, padding cut off. */
interface PoolWindows {
  rowFrom: Int32Array;
  rowTo: Int32Array;
  colFrom: Int32Array;
  colTo: Int32Array;
}

function spans(outSize: number, stride: number, pad: number, filter: number, inSize: number): [Int32Array, Int32Array] {
  const from = new Int32Array(outSize);
  const to = new Int32Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const start = o * stride - pad;
    from[o] = Math.max(start, 0);
    to[o] = Math.min(start + filter, inSize);
  }
  return [from, to];
}

/** Window bounds of a 2-D pooling (dilation 1, as tfjs' pooling gradients require). */
function poolWindows(info: tf.backend_util.Conv2DInfo): PoolWindows {
  const [rowFrom, rowTo] = spans(info.outHeight, info.strideHeight, info.padInfo.top, info.filterHeight, info.inHeight);
  const [colFrom, colTo] = spans(info.outWidth, info.strideWidth, info.padInfo.left, info.filterWidth, info.inWidth);
  return { rowFrom, rowTo, colFrom, colTo };
}

/** One pooling window: where its batch element starts in the input, the input rows and columns it covers, where its dy values start. */
export type WindowVisitor = (batchStart: number, rowFrom: number, rowTo: number, colFrom: number, colTo: number, dyStart: number) => void;

/** Calls `visit` for every pooling window of an NHWC input, in dy's order. */
export function forEachPoolWindow(info: tf.backend_util.Conv2DInfo, visit: WindowVisitor): void {
  const windows = poolWindows(info);
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth } = info;
  for (let b = 0; b < batchSize; b++) {
    const batchStart = b * inHeight * inWidth * inChannels;
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++) {
        const dyStart = ((b * outHeight + oh) * outWidth + ow) * inChannels;
        visit(batchStart, windows.rowFrom[oh]!, windows.rowTo[oh]!, windows.colFrom[ow]!, windows.colTo[ow]!, dyStart);
      }
    }
  }
}
