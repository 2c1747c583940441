import * as tf from '@tensorflow/tfjs';

/** The parts of TF.js's engine (tfjs-core 4.22 `Engine`) that sharing a buffer needs; not in its typings. */
interface EngineInternals {
  state?: { tensorInfo?: { get(dataId: tf.DataId): { backend?: tf.KernelBackend } | undefined } };
  makeTensorFromTensorInfo?(info: tf.TensorInfo, backend?: tf.KernelBackend): tf.Tensor;
}

/**
 * A new tensor handle on the same backend buffer as `tensor`, for a snapshot that costs no copy.
 * `tensor.clone()` does this on cpu, but on wasm its Identity kernel copies the whole tensor into
 * a new heap block. Sharing is a snapshot because TF.js never writes a buffer in place:
 * `Variable.assign` (used by every optimizer for weights and slots) points the variable at a new
 * buffer and releases the old one by reference count, so the handle returned here keeps the old
 * values until it is disposed. The reference is taken on the tensor's own backend (the one that
 * holds the buffer, which need not be the active one). Falls back to `clone()` when the engine
 * does not look as expected.
 */
export function shareTensor(tensor: tf.Tensor): tf.Tensor {
  const engine = tf.engine() as unknown as EngineInternals;
  if (tensor.isDisposed || typeof engine.makeTensorFromTensorInfo !== 'function') return tensor.clone();
  const backend = engine.state?.tensorInfo?.get(tensor.dataId)?.backend;
  if (backend === undefined || typeof backend.incRef !== 'function') return tensor.clone();
  backend.incRef(tensor.dataId);
  return engine.makeTensorFromTensorInfo({ dataId: tensor.dataId, shape: [...tensor.shape], dtype: tensor.dtype }, backend);
}
