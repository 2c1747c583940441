import * as tf from '@tensorflow/tfjs';
import type { KernelOverride } from './kernel-override.js';
import { asWasmHeapBackend } from './wasm-heap.js';

/**
 * wasm's Slice first reads the WHOLE input out of the heap into a new JavaScript array (its
 * `readSync` copies), then copies the slice from that: a batch of 128 rows taken from a dataset of
 * 5120 x 784 floats copied 16 MB to keep 0.4 MB, about 40 ms where the slice itself takes 0.1 ms.
 * A contiguous slice (leading rows, as every batch of an unshuffled TensorDataset) is copied here
 * straight from the input's place on the heap into the output's; other slices go to wasm's own.
 */
export const sliceInPlace: KernelOverride = {
  kernelName: tf.Slice,
  backendName: 'wasm',
  wrap: (original) => (args) => {
    const x = (args.inputs as unknown as { x: tf.TensorInfo }).x;
    if (x.dtype === 'string' || x.dtype === 'complex64') return original(args);
    const { begin, size } = args.attrs as unknown as { begin: number | number[]; size: number | number[] };
    const [start, extent] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
    if (!tf.slice_util.isSliceContinous(x.shape, start, extent)) return original(args);
    const backend = asWasmHeapBackend(args.backend);
    const out = backend.makeOutput(extent, x.dtype);
    const from = tf.slice_util.computeFlatOffset(start, tf.util.computeStrides(x.shape));
    const count = tf.util.sizeFromShape(extent);
    // Views taken after the output's allocation, the last one that could move the heap.
    backend.typedArrayFromHeap(out).set(backend.typedArrayFromHeap(x).subarray(from, from + count));
    return out;
  },
};
