import * as tf from '@tensorflow/tfjs';
import { avgPoolGradFromWindows } from './avg-pool-grad.js';
import { conv2DBackpropFilterWasmConfig } from './conv2d-backprop-filter.js';
import { conv2DBackpropInputAsProduct } from './conv2d-backprop-input.js';
import { registerCpuDelegates } from './cpu-delegate.js';
import { installKernelOverride, type KernelOverride } from './kernel-override.js';
import { batchMatMulTransposeFirst, fusedMatMulTransposeFirst } from './matmul-transpose-first.js';
import { maxPoolGradFromWindows } from './max-pool-grad.js';
import { sliceInPlace } from './slice-in-place.js';
import { unsortedSegmentSumWasmConfig } from './unsorted-segment-sum.js';

/** Kernels tfjs-backend-wasm 4.22 lacks that Cairn implements for it, at native or better-than-cpu speed. */
const CAIRN_WASM_KERNELS: readonly tf.KernelConfig[] = [conv2DBackpropFilterWasmConfig, unsortedSegmentSumWasmConfig];

/**
 * Kernels tfjs-backend-wasm 4.22 has, replaced on the hot training paths by faster versions that give the
 * cpu backend's results (each checked against cpu in test/backend). Each may defer to the original.
 */
const CAIRN_WASM_OVERRIDES: readonly KernelOverride[] = [
  batchMatMulTransposeFirst,
  fusedMatMulTransposeFirst,
  maxPoolGradFromWindows,
  avgPoolGradFromWindows,
  conv2DBackpropInputAsProduct,
  sliceInPlace,
];

/**
 * Kernels tfjs-backend-wasm 4.22 lacks whose inputs and outputs are plain numeric tensors: they run on the
 * cpu backend's implementation. The first two are reached by training (depthwise and separable convolution
 * gradients); the others are forward ops, delegated so a model using them still runs.
 */
export const CPU_DELEGATED_KERNELS: readonly string[] = [
  tf.DepthwiseConv2dNativeBackpropFilter,
  tf.DepthwiseConv2dNativeBackpropInput,
  tf.Einsum,
  tf.RaggedGather,
  tf.RaggedRange,
  tf.RaggedTensorToTensor,
];

/**
 * Kernels the wasm backend lacks that are deliberately NOT delegated, with the reason. The tests check that
 * after patching, exactly these are still missing, so a tfjs upgrade that changes the set gets noticed.
 */
export const UNPATCHED_WASM_KERNELS: Readonly<Record<string, string>> = {
  [tf.Complex]: 'complex64 tensors cannot be stored on the wasm heap',
  [tf.ComplexAbs]: 'complex64 input',
  [tf.Real]: 'complex64 input',
  [tf.Imag]: 'complex64 input',
  [tf.FFT]: 'complex64 input and output',
  [tf.IFFT]: 'complex64 input and output',
  [tf.Draw]: 'draws on a browser canvas',
  [tf.StaticRegexReplace]: 'string tensors, never part of training',
};

/**
 * Makes the wasm backend able to train everything the layers API offers: Conv2DBackpropFilter from
 * XNNPACK convolutions (used by both plain and fused conv2d gradients), a one-pass UnsortedSegmentSum
 * (embedding gradients), faster versions of the kernels in {@link CAIRN_WASM_OVERRIDES}, and cpu delegates for {@link CPU_DELEGATED_KERNELS}. Kernels are registered by
 * name, so this works before or after the wasm backend is initialized. A kernel wasm already has (natively
 * or from an earlier call) is left alone, so calling again is harmless. Returns the names registered.
 */
export function installWasmKernelPatches(): string[] {
  const registered: string[] = [];
  for (const config of CAIRN_WASM_KERNELS) {
    if (tf.getKernel(config.kernelName, 'wasm') !== undefined) continue;
    tf.registerKernel(config);
    registered.push(config.kernelName);
  }
  for (const override of CAIRN_WASM_OVERRIDES) if (installKernelOverride(override)) registered.push(override.kernelName);
  return [...registered, ...registerCpuDelegates(CPU_DELEGATED_KERNELS, 'wasm')];
}
