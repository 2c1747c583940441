import * as tf from '@tensorflow/tfjs';
import { BackendUnavailableError } from '../backend-unavailable.js';
import type { ModuleLoader } from '../optional-packages.js';
import { adapterLine, type AdapterDescription } from './adapter.js';
import type { WebGpuOptions } from './options.js';
import { findAdapter, registerWebGpu } from './register.js';

/**
 * TF.js picks a split-K matmul (atomic adds, so summation order varies run to run) for some shapes unless
 * this flag names a program; 3 is MatMulPackedProgram, which sums in a fixed order.
 */
const MATMUL_PROGRAM_FLAG = 'WEBGPU_MATMUL_PROGRAM_TYPE';
const PACKED_MATMUL = 3;
const TFJS_CHOOSES = -1;

/**
 * Makes TF.js's webgpu backend (on the adapter Dawn finds for `options`) the active one. Returns the
 * description for the start line, which names the adapter; throws {@link BackendUnavailableError} when it
 * cannot run.
 */
export async function activateWebGpu(
  request: 'webgpu' | 'gpu',
  options: Readonly<WebGpuOptions>,
  deterministic: boolean,
  loadModule: ModuleLoader,
  accept: (adapter: AdapterDescription) => void = () => {},
): Promise<string> {
  // Refused adapters are refused before anything is registered or put on globalThis.
  accept((await findAdapter(request, options, loadModule)).description);
  const adapter = await registerWebGpu(request, options, loadModule);
  let ok: boolean;
  try {
    ok = await tf.setBackend('webgpu');
  } catch (error) {
    throw new BackendUnavailableError(`cairn: accelerator '${request}': the webgpu backend failed to start on ${adapterLine(adapter)}: ${String(error)}`, 'webgpu failed to start', false, { cause: error });
  }
  if (!ok) {
    throw new BackendUnavailableError(`cairn: accelerator '${request}': the webgpu backend failed to start on ${adapterLine(adapter)} (see the TF.js warning above).`, 'webgpu failed to start', false);
  }
  tf.env().set(MATMUL_PROGRAM_FLAG, deterministic ? PACKED_MATMUL : TFJS_CHOOSES);
  return `WebGPU through Dawn on ${adapterLine(adapter)}${deterministic ? '' : ', non-deterministic kernels allowed'}`;
}
