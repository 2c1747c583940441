import * as tf from '@tensorflow/tfjs';
import { asKernelBackend } from './kernel-calls.js';

/**
 * `UnsortedSegmentSum` (the gradient of gather, hence of every embedding) in one pass over the data.
 *
 * Not delegated to cpu like the other missing kernels: the cpu backend builds it from one
 * equal/multiply/sum per segment, O(segments x rows x width), so an embedding of 5,000 rows took about
 * a minute per training step. This is O(rows x width), summed in float64 like the cpu backend's sum.
 * Ids outside [0, numSegments) are dropped, as in TensorFlow.
 */
function unsortedSegmentSum({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const storage = asKernelBackend(backend);
  // Inputs and attributes come from tfjs' unsortedSegmentSum op, which validates them.
  const { x, segmentIds } = inputs as unknown as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const { numSegments } = attrs as unknown as tf.UnsortedSegmentSumAttrs;
  const values = storage.readSync(x.dataId);
  const ids = storage.readSync(segmentIds.dataId);
  if (!(values instanceof Float32Array || values instanceof Int32Array) || !(ids instanceof Int32Array)) {
    throw new Error(`cairn: UnsortedSegmentSum supports float32/int32 data and int32 ids, got ${x.dtype}/${segmentIds.dtype}`);
  }
  const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
  const width = tf.util.sizeFromShape(outShape.slice(1));
  const sums = new Float64Array(numSegments * width);
  for (let row = 0; row < ids.length; row++) {
    const id = ids[row] ?? -1;
    if (id < 0 || id >= numSegments) continue;
    const from = row * width;
    const to = id * width;
    for (let j = 0; j < width; j++) sums[to + j] = (sums[to + j] ?? 0) + (values[from + j] ?? 0);
  }
  const out = x.dtype === 'int32' ? Int32Array.from(sums) : Float32Array.from(sums);
  return { dataId: storage.write(out, outShape, x.dtype), shape: outShape, dtype: x.dtype };
}

export const unsortedSegmentSumWasmConfig: tf.KernelConfig = {
  kernelName: tf.UnsortedSegmentSum,
  backendName: 'wasm',
  kernelFunc: unsortedSegmentSum,
};
