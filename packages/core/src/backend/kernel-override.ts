import * as tf from '@tensorflow/tfjs';

/**
 * A replacement for a kernel the backend already has: `wrap` receives the backend's own implementation
 * and returns the one to register, which may call the original for the cases it does not speed up.
 */
export interface KernelOverride {
  kernelName: string;
  backendName: string;
  wrap: (original: tf.KernelFunc) => tf.KernelFunc;
}

/** Configs this module registered, so a second install does not wrap a wrapper. */
const installed = new WeakSet<tf.KernelConfig>();

/**
 * Replaces the registered kernel with `override.wrap(original)`, keeping the original's setup and
 * dispose hooks (tfjs runs the setup of every registered kernel when the backend initializes, and the
 * original's kernelFunc depends on it). Returns false when the kernel is missing or already overridden.
 */
export function installKernelOverride(override: KernelOverride): boolean {
  const current = tf.getKernel(override.kernelName, override.backendName);
  if (current === undefined || installed.has(current)) return false;
  const replacement: tf.KernelConfig = { ...current, kernelFunc: override.wrap(current.kernelFunc) };
  tf.unregisterKernel(override.kernelName, override.backendName);
  tf.registerKernel(replacement);
  installed.add(replacement);
  return true;
}
