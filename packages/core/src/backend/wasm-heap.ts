import * as tf from '@tensorflow/tfjs';

/**
 * The part of tfjs-backend-wasm's BackendWasm that kernels written in JavaScript use: outputs allocated on
 * the wasm heap and views of tensors in place (no copies). A view is only valid until the heap next grows,
 * which any allocation can cause: take views after the last allocation a kernel makes.
 */
export interface WasmHeapBackend extends tf.KernelBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.TypedArray;
}

export function asWasmHeapBackend(backend: unknown): WasmHeapBackend {
  if (backend instanceof tf.KernelBackend && 'makeOutput' in backend && 'typedArrayFromHeap' in backend) {
    return backend as WasmHeapBackend;
  }
  throw new Error('cairn: a wasm kernel was called without the wasm backend');
}

/** The float32 values of `info`, in place on the heap. */
export function heapFloats(backend: WasmHeapBackend, info: tf.TensorInfo): Float32Array {
  const view = backend.typedArrayFromHeap(info);
  if (!(view instanceof Float32Array)) throw new Error(`cairn: expected a float32 tensor on the wasm heap, got ${info.dtype}`);
  return view;
}
