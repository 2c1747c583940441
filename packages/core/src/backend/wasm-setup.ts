import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { BackendUnavailableError, errorMessage } from './backend-unavailable.js';
import { installWasmKernelPatches } from './wasm-kernels.js';

const WASM_PACKAGE = '@tensorflow/tfjs-backend-wasm';
let wasmPathsSet = false;

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
export async function activateWasm(): Promise<string> {
  try {
    // Imported lazily: importing registers 'wasm' above 'cpu' in tfjs' priority list, after which tfjs
    // refuses synchronous ops until a backend is awaited. Code that never asks for wasm must not see that.
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    if (!wasmPathsSet) {
      // Must happen before the backend's first initialization; setWasmPaths throws after a failed one.
      wasm.setWasmPaths(wasmBinaryFolder());
      wasmPathsSet = true;
    }
    installWasmKernelPatches();
  } catch (error) {
    throw new BackendUnavailableError(
      `cairn: accelerator 'wasm': ${WASM_PACKAGE} could not be set up: ${errorMessage(error)}`,
      `wasm setup failed: ${errorMessage(error)}`, false, { cause: error },
    );
  }
  if (!(await tf.setBackend('wasm'))) {
    throw new BackendUnavailableError(
      "cairn: accelerator 'wasm': the WebAssembly backend failed to initialize (see the tfjs warning above).",
      'wasm failed to initialize', false,
    );
  }
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  return simd === true ? 'WebAssembly SIMD' : 'WebAssembly without SIMD';
}
