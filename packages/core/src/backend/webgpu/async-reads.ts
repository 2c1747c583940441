/**
 * Backends whose tensor bytes can only be read with `await tensor.data()`: WebGPU in Node has no
 * synchronous path (TF.js's `readSync` there needs an OffscreenCanvas). Code that would read bytes
 * synchronously (checkpoint capture) asks here first and reads asynchronously instead.
 */
const asyncOnly = new WeakSet<object>();

export function markAsyncReadOnly(backend: object): void {
  asyncOnly.add(backend);
}

export function readsAsyncOnly(backend: object | undefined): boolean {
  return backend !== undefined && asyncOnly.has(backend);
}
