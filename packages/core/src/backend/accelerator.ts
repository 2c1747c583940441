/**
 * Where training runs. `'auto'` picks the fastest one available on this machine; `'gpu'` is a real GPU
 * (tfjs-node-gpu on CUDA, or WebGPU on a hardware adapter) or an error; `'webgpu'` is TF.js's WebGPU
 * backend on Dawn, whatever adapter Dawn finds (a software one included).
 */
export type Accelerator = 'auto' | 'gpu' | 'webgpu' | 'tensorflow' | 'wasm' | 'cpu';

/** A concrete choice: what `'auto'` resolves to, one candidate at a time. */
export type ConcreteAccelerator = Exclude<Accelerator, 'auto'>;

export const ACCELERATORS: readonly Accelerator[] = ['auto', 'gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'];

/**
 * Order in which `'auto'` tries the accelerators: a real GPU first, pure JavaScript last (it always works).
 * `'webgpu'` alone is not a candidate: on a software adapter it is slower than WebAssembly.
 */
export const AUTO_ORDER: readonly ConcreteAccelerator[] = ['gpu', 'tensorflow', 'wasm', 'cpu'];

export function isAccelerator(value: unknown): value is Accelerator {
  return typeof value === 'string' && (ACCELERATORS as readonly string[]).includes(value);
}

/** The accelerators to try, in order, for a requested one. Throws on a value outside {@link ACCELERATORS}. */
export function candidatesFor(accelerator: unknown): readonly ConcreteAccelerator[] {
  if (!isAccelerator(accelerator)) {
    const accepted = ACCELERATORS.map((a) => `'${a}'`).join(', ');
    throw new Error(`cairn: unknown accelerator ${JSON.stringify(accelerator)}; expected one of ${accepted}`);
  }
  return accelerator === 'auto' ? AUTO_ORDER : [accelerator];
}
