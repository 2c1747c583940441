import * as tf from '@tensorflow/tfjs';

/**
 * Geometry shared by the two convolution gradients computed as matrix products (im2col): row r of the
 * patch matrix is one output position (batch, out row, out col), column k one filter tap (filter row,
 * filter col, in channel), so the filter, read as [taps, outChannels], multiplies it directly.
 */
export interface PatchGeometry {
  info: tf.backend_util.Conv2DInfo;
  /** Filter taps: filterHeight * filterWidth * inChannels. */
  taps: number;
  /** Output positions per batch element: outHeight * outWidth. */
  positionsPerBatch: number;
  /** Element strides of the input (or its gradient) in its own layout. */
  batchStride: number;
  rowStride: number;
  colStride: number;
  channelStride: number;
}

export function patchGeometry(info: tf.backend_util.Conv2DInfo): PatchGeometry {
  const { inHeight, inWidth, inChannels, filterHeight, filterWidth, outHeight, outWidth } = info;
  const channelsLast = info.dataFormat === 'channelsLast';
  return {
    info,
    taps: filterHeight * filterWidth * inChannels,
    positionsPerBatch: outHeight * outWidth,
    batchStride: inHeight * inWidth * inChannels,
    rowStride: channelsLast ? inWidth * inChannels : inWidth,
    colStride: channelsLast ? inChannels : 1,
    channelStride: channelsLast ? 1 : inHeight * inWidth,
  };
}

/** Patch matrices are built a few batch elements at a time so that one stays near this many floats. */
const CHUNK_FLOATS = 1 << 22;

/** Consecutive batch ranges [from, to) whose patch matrices stay near CHUNK_FLOATS (at least one element each). */
export function batchChunks(geometry: PatchGeometry): [number, number][] {
  const perChunk = Math.max(1, Math.floor(CHUNK_FLOATS / (geometry.taps * geometry.positionsPerBatch)));
  const chunks: [number, number][] = [];
  for (let from = 0; from < geometry.info.batchSize; from += perChunk) chunks.push([from, Math.min(from + perChunk, geometry.info.batchSize)]);
  return chunks;
}

/**
 * Fills `columns`, laid out [taps, positions of batches from..to), with the input value each tap sees at
 * each output position (0 in the padding): the transpose of the usual im2col matrix, built directly
 * because wasm's Transpose of the usual one cost more than the product itself.
 */
export function fillTapRows(x: Float32Array, g: PatchGeometry, from: number, to: number, columns: Float32Array): void {
  const { filterHeight, filterWidth, inChannels, outHeight, outWidth, strideHeight, strideWidth, inHeight, inWidth } = g.info;
  const { top, left } = g.info.padInfo;
  const positions = (to - from) * g.positionsPerBatch;
  let k = 0;
  for (let fh = 0; fh < filterHeight; fh++) {
    for (let fw = 0; fw < filterWidth; fw++) {
      for (let ci = 0; ci < inChannels; ci++, k++) {
        let at = k * positions;
        for (let b = from; b < to; b++) {
          const base = b * g.batchStride + ci * g.channelStride;
          for (let oh = 0; oh < outHeight; oh++) {
            const row = oh * strideHeight - top + fh;
            if (row < 0 || row >= inHeight) {
              columns.fill(0, at, at + outWidth);
              at += outWidth;
              continue;
            }
            const rowBase = base + row * g.rowStride;
            for (let ow = 0; ow < outWidth; ow++) {
              const col = ow * strideWidth - left + fw;
              columns[at++] = col >= 0 && col < inWidth ? x[rowBase + col * g.colStride]! : 0;
            }
          }
        }
      }
    }
  }
}

/**
 * Adds each row of `patches`, laid out [positions of batches from..to), taps], back onto the input
 * positions its taps read (col2im): the input gradient from the gradient of the patch matrix. Taps that
 * fell in the padding are dropped.
 */
export function addPatchRows(patches: Float32Array, g: PatchGeometry, from: number, to: number, dx: Float32Array): void {
  const { filterHeight, filterWidth, inChannels, outHeight, outWidth, strideHeight, strideWidth, inHeight, inWidth } = g.info;
  const { top, left } = g.info.padInfo;
  let at = 0;
  for (let b = from; b < to; b++) {
    const base = b * g.batchStride;
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++) {
        for (let fh = 0; fh < filterHeight; fh++) {
          const row = oh * strideHeight - top + fh;
          if (row < 0 || row >= inHeight) {
            at += filterWidth * inChannels;
            continue;
          }
          for (let fw = 0; fw < filterWidth; fw++) {
            const col = ow * strideWidth - left + fw;
            if (col < 0 || col >= inWidth) {
              at += inChannels;
              continue;
            }
            const target = base + row * g.rowStride + col * g.colStride;
            for (let ci = 0; ci < inChannels; ci++) {
              const i = target + ci * g.channelStride;
              dx[i] = dx[i]! + patches[at++]!;
            }
          }
        }
      }
    }
  }
}
