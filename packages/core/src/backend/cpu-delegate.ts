import * as tf from '@tensorflow/tfjs';
import { asKernelBackend, callKernel } from './kernel-calls.js';

/**
 * The cpu backend instance, initialized if needed but not made active: `tf.findBackend` initializes a
 * registered backend lazily, and tfjs always registers 'cpu'.
 */
function cpuBackend(): tf.KernelBackend {
  const cpu = tf.findBackend('cpu') as tf.KernelBackend | null;
  if (cpu === null) throw new Error("cairn: the 'cpu' backend is not registered, so kernels cannot be delegated to it");
  return cpu;
}

function copyTensorInfo(t: tf.TensorInfo, from: tf.KernelBackend, to: tf.KernelBackend): tf.TensorInfo {
  return { dataId: to.write(from.readSync(t.dataId), t.shape, t.dtype), shape: t.shape, dtype: t.dtype };
}

/**
 * Runs `kernelName`'s cpu implementation on tensors living in `target`: copy inputs to cpu, run, copy the
 * outputs back, free every cpu copy. Correct for any kernel whose inputs and outputs are plain numeric
 * tensors; as fast as the cpu backend, plus two copies.
 */
function runOnCpu(kernelName: string, target: tf.KernelBackend, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap | undefined) {
  const cpu = cpuBackend();
  const cpuInputs: tf.TensorInfo[] = [];
  const toCpu = (t: tf.TensorInfo | undefined): tf.TensorInfo | undefined => {
    if (t === undefined) return undefined;
    const copy = copyTensorInfo(t, target, cpu);
    cpuInputs.push(copy);
    return copy;
  };
  // Variadic kernels (Einsum) receive an array in the inputs slot; keep that shape for the cpu kernel.
  const mapped = Array.isArray(inputs)
    ? (inputs as (tf.TensorInfo | undefined)[]).map(toCpu) as unknown as tf.NamedTensorInfoMap
    : Object.fromEntries(Object.entries(inputs).map(([name, t]) => [name, toCpu(t)]));
  try {
    const result = callKernel(kernelName, 'cpu', cpu, mapped, attrs);
    const outputs = Array.isArray(result) ? result : [result];
    try {
      const copies = outputs.map((t) => copyTensorInfo(t, cpu, target));
      return Array.isArray(result) ? copies : copies[0];
    } finally {
      for (const t of outputs) cpu.disposeData(t.dataId);
    }
  } finally {
    for (const t of cpuInputs) cpu.disposeData(t.dataId);
  }
}

/** A kernel config for `backendName` that runs the cpu backend's implementation of `kernelName`. */
export function cpuDelegateConfig(kernelName: string, backendName: string): tf.KernelConfig {
  return {
    kernelName,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => runOnCpu(kernelName, asKernelBackend(backend), inputs, attrs),
  };
}

/**
 * Registers a cpu delegate on `backendName` for each of `kernelNames` that the cpu backend implements and
 * `backendName` does not. Kernels already present (native, or delegated by an earlier call) are left alone,
 * so calling this again is harmless. Returns the names registered by this call.
 */
export function registerCpuDelegates(kernelNames: readonly string[], backendName: string): string[] {
  cpuBackend();
  const registered: string[] = [];
  for (const name of kernelNames) {
    if (tf.getKernel(name, backendName) !== undefined || tf.getKernel(name, 'cpu') === undefined) continue;
    tf.registerKernel(cpuDelegateConfig(name, backendName));
    registered.push(name);
  }
  return registered;
}
