import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { BackendUnavailableError, errorMessage } from './backend-unavailable.js';
import { installWasmKernelPatches } from './wasm-kernels.js';

const WASM_PACKAGE = '@tensorflow/tfjs-backend-wasm';
const WASM_BACKEND = 'wasm';

/** The part of @tensorflow/tfjs-backend-wasm that setup calls; importing it registers the 'wasm' backend. */
export type WasmPackage = Pick<typeof import('@tensorflow/tfjs-backend-wasm'), 'setWasmPaths'>;

/** Imports the wasm backend package; replaceable so tests can simulate a wasm that fails to load or to start. */
export type WasmLoader = () => Promise<WasmPackage>;

// Imported lazily: importing registers 'wasm' above 'cpu' in tfjs' priority list, after which tfjs
// refuses synchronous ops until a backend is awaited. Code that never asks for wasm must not see that.
export const importWasmPackage: WasmLoader = () => import('@tensorflow/tfjs-backend-wasm');

/** Packages whose paths are set: per package, so that a test's stand-in never counts for the real one. */
const wasmPathsSet = new WeakSet<WasmPackage>();

/**
 * The folder holding the package's .wasm binaries: its `main` lives in the same `dist` folder. Resolved
 * from this file so it works however the package is hoisted (pnpm keeps it out of the top node_modules).
 */
function wasmBinaryFolder(): string {
  return path.dirname(createRequire(import.meta.url).resolve(WASM_PACKAGE)) + path.sep;
}

/**
 * Activates the WebAssembly backend with Cairn's kernel patches. Returns the description for the report;
 * throws {@link BackendUnavailableError} if it cannot start.
 */
export async function activateWasm(loadWasm: WasmLoader): Promise<string> {
  try {
    const wasm = await loadWasm();
    if (!wasmPathsSet.has(wasm)) {
      // Must happen before the backend's first initialization; setWasmPaths throws after a failed one.
      wasm.setWasmPaths(wasmBinaryFolder());
      wasmPathsSet.add(wasm);
    }
    installWasmKernelPatches();
  } catch (error) {
    throw new BackendUnavailableError(
      `cairn: accelerator 'wasm': ${WASM_PACKAGE} could not be set up: ${errorMessage(error)}`,
      `wasm setup failed: ${errorMessage(error)}`, false, { cause: error },
    );
  }
  // tf.setBackend throws a bare 'not found in registry' for an unregistered name: say what happened instead.
  if (tf.findBackendFactory(WASM_BACKEND) === null) {
    throw new BackendUnavailableError(
      `cairn: accelerator 'wasm': ${WASM_PACKAGE} loaded but registered no '${WASM_BACKEND}' backend.`,
      'wasm registered no backend', false,
    );
  }
  if (!(await tf.setBackend(WASM_BACKEND))) {
    throw new BackendUnavailableError(
      "cairn: accelerator 'wasm': the WebAssembly backend failed to initialize (see the tfjs warning above).",
      'wasm failed to initialize', false,
    );
  }
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  return simd === true ? 'WebAssembly SIMD' : 'WebAssembly without SIMD';
}
