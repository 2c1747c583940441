import * as tf from '@tensorflow/tfjs';
import type { ModuleLoader } from '../../src/backend/node-binding.js';

export const GPU_PACKAGE = '@tensorflow/tfjs-node-gpu';
export const NODE_PACKAGE = '@tensorflow/tfjs-node';

/** The error Node's ESM loader throws for a package that is not installed. */
export function notFound(name: string): Error {
  return Object.assign(new Error(`Cannot find package '${name}' imported from /app/select-backend.js`), { code: 'ERR_MODULE_NOT_FOUND' });
}

/**
 * Stands in for importing tfjs-node(-gpu), which registers a backend named 'tensorflow': here a cpu backend
 * under that name, so selection can be tested without libtensorflow.
 */
let loadedGpuPackage = false;

function registerFakeTensorflowBackend(): void {
  if (tf.findBackendFactory('tensorflow') !== null) return;
  // tfjs-node-gpu's backend says whether it runs on a GPU device; the stand-in says so when it stands for it.
  tf.registerBackend('tensorflow', () => Object.defineProperty(new tf.MathBackendCPU(), 'isUsingGpuDevice', { get: () => loadedGpuPackage }), -1);
  if (tf.getKernelsForBackend('tensorflow').length === 0) tf.copyRegisteredKernels('cpu', 'tensorflow');
}

/** A loader where the packages in `present` load (registering the fake backend), `broken` ones throw, the rest are missing. */
export function loader(present: string[], broken: Record<string, Error> = {}): ModuleLoader {
  return async (name) => {
    const failure = broken[name];
    if (failure !== undefined) throw failure;
    if (!present.includes(name)) throw notFound(name);
    loadedGpuPackage = name === GPU_PACKAGE;
    registerFakeTensorflowBackend();
    return {};
  };
}
