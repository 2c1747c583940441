import * as tf from '@tensorflow/tfjs';
import { asKernelBackend, callSingleOutputKernel } from './kernel-calls.js';
import type { KernelOverride } from './kernel-override.js';

/** The permutation that swaps the last two axes of a tensor of rank `rank`. */
function swapLastTwo(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return perm;
}

/**
 * wasm's matrix product takes a slow path (about 8x slower) when an operand is marked transposed, and
 * every dense layer's weight gradient passes one. Transposing the operand first (one cheap pass over
 * it) and running the normal product gives the same sums, accumulated in the same order, at the fast
 * path's speed. Used for BatchMatMul and _FusedMatMul, whose inputs name the operands `a` and `b`.
 */
function transposeFirst(kernelName: string) {
  return (original: tf.KernelFunc): tf.KernelFunc => (args) => {
    const attrs = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
    if (!attrs.transposeA && !attrs.transposeB) return original(args);
    const backend = asKernelBackend(args.backend);
    const inputs = args.inputs as unknown as Record<string, tf.TensorInfo>;
    const temporaries: tf.TensorInfo[] = [];
    const upright = (t: tf.TensorInfo): tf.TensorInfo => {
      const transposed = callSingleOutputKernel(tf.Transpose, 'wasm', backend, { x: t }, { perm: swapLastTwo(t.shape.length) });
      temporaries.push(transposed);
      return transposed;
    };
    try {
      const a = inputs['a'];
      const b = inputs['b'];
      if (a === undefined || b === undefined) throw new Error(`cairn: ${kernelName} called without operands a and b`);
      return original({
        ...args,
        inputs: { ...inputs, a: attrs.transposeA ? upright(a) : a, b: attrs.transposeB ? upright(b) : b },
        attrs: { ...args.attrs, transposeA: false, transposeB: false },
      });
    } finally {
      for (const t of temporaries) backend.disposeData(t.dataId);
    }
  };
}

export const batchMatMulTransposeFirst: KernelOverride = {
  kernelName: tf.BatchMatMul,
  backendName: 'wasm',
  wrap: transposeFirst(tf.BatchMatMul),
};

export const fusedMatMulTransposeFirst: KernelOverride = {
  kernelName: tf._FusedMatMul,
  backendName: 'wasm',
  wrap: transposeFirst(tf._FusedMatMul),
};
