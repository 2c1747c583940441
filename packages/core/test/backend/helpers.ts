import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src/backend/select-backend.js';

/** Deterministic values in [-1, 1) (mulberry32), identical on every backend and run. */
export function seeded(count: number, seed: number): Float32Array {
  let state = seed >>> 0;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

/** Deterministic integers in [0, max). */
export function seededInts(count: number, max: number, seed: number): Int32Array {
  return Int32Array.from(seeded(count, seed), (v) => Math.min(max - 1, Math.floor(((v + 1) / 2) * max)));
}

/** max|a - b| / max|b|: one number per tensor, insensitive to individual tiny entries. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs((a[i] ?? NaN) - (b[i] ?? NaN)));
    scale = Math.max(scale, Math.abs(b[i] ?? NaN));
  }
  return diff / Math.max(scale, 1e-30);
}

export type TestBackend = 'cpu' | 'wasm' | 'webgpu';

/** Runs `compute` with `backend` active and returns its tensors' values (read asynchronously, as webgpu requires), disposing the tensors. */
export async function valuesOn(backend: TestBackend, compute: () => tf.Tensor[]): Promise<Float32Array[]> {
  await selectBackend(backend, { print: () => {} });
  const tensors = compute();
  const values = await Promise.all(tensors.map(async (t) => Float32Array.from(await t.data())));
  tf.dispose(tensors);
  return values;
}

/** `valuesOn` for cpu and `backend`; the relative error of each of its values against the cpu counterpart. */
export async function backendVsCpu(backend: TestBackend, compute: () => tf.Tensor[]): Promise<number[]> {
  const cpu = await valuesOn('cpu', compute);
  const other = await valuesOn(backend, compute);
  expectSameCount(other, cpu);
  // An all-zero reference would make any comparison pass: the test inputs must exercise every value.
  if (cpu.some((values) => values.every((v) => v === 0))) throw new Error('a cpu reference tensor is all zeros');
  return other.map((values, i) => relativeError(values, cpu[i] ?? new Float32Array()));
}

/** {@link backendVsCpu} for wasm. */
export function wasmVsCpu(compute: () => tf.Tensor[]): Promise<number[]> {
  return backendVsCpu('wasm', compute);
}

function expectSameCount(a: unknown[], b: unknown[]): void {
  if (a.length !== b.length || a.length === 0) throw new Error(`compared ${a.length} tensors against ${b.length}`);
}
