import * as tf from '@tensorflow/tfjs';

/**
 * Kernel functions receive their backend typed as `{}`; every real backend extends tfjs' KernelBackend,
 * so this narrows without a cast (and fails loudly if tfjs ever passes something else).
 */
export function asKernelBackend(backend: unknown): tf.KernelBackend {
  if (backend instanceof tf.KernelBackend) return backend;
  throw new Error('cairn: kernel called without a tfjs KernelBackend');
}

/**
 * Runs the kernel registered under `kernelName` for `backendName` directly, bypassing the engine: a kernel
 * built from other kernels must not go through `tf.*` ops (they would be recorded on the gradient tape and
 * tracked by the engine as tensors of their own).
 */
export function callKernel(
  kernelName: string,
  backendName: string,
  backend: tf.KernelBackend,
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap = {},
): tf.TensorInfo | tf.TensorInfo[] {
  const config = tf.getKernel(kernelName, backendName);
  if (config === undefined) throw new Error(`cairn: kernel '${kernelName}' is not registered for backend '${backendName}'`);
  return config.kernelFunc({ inputs, backend, attrs });
}

/** {@link callKernel} for kernels with exactly one output. */
export function callSingleOutputKernel(
  kernelName: string,
  backendName: string,
  backend: tf.KernelBackend,
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap = {},
): tf.TensorInfo {
  const out = callKernel(kernelName, backendName, backend, inputs, attrs);
  if (Array.isArray(out)) throw new Error(`cairn: kernel '${kernelName}' returned ${out.length} outputs, expected one`);
  return out;
}
