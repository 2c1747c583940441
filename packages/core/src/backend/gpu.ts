import { BackendUnavailableError } from './backend-unavailable.js';
import { activateNodeBinding } from './node-binding.js';
import type { ModuleLoader } from './optional-packages.js';
import { activateWebGpu } from './webgpu/activate.js';
import type { AdapterDescription } from './webgpu/adapter.js';
import type { WebGpuOptions } from './webgpu/options.js';
import { vulkanDriverListed } from './webgpu/vulkan-drivers.js';

const MISSING =
  'What is missing for a GPU: either @tensorflow/tfjs-node-gpu with CUDA 11.2 and cuDNN 8.1, or, for WebGPU, ' +
  'a hardware Vulkan driver (libvulkan1 plus the GPU vendor\'s ICD json, e.g. NVIDIA\'s nvidia_icd.json via VK_ICD_FILENAMES) ' +
  'with the packages webgpu@0.6.2 and @tensorflow/tfjs-backend-webgpu@4.22.0. ' +
  "To train on whatever adapter Dawn finds, software included, use accelerator 'webgpu'.";

function refuseSoftware(adapter: AdapterDescription): void {
  if (adapter.software === undefined) return;
  throw new BackendUnavailableError(
    `WebGPU found only ${adapter.vendor} ${adapter.device} (${adapter.driver}), which is no GPU: ${adapter.software}`,
    `WebGPU adapter is software (${adapter.driver})`, false,
  );
}

/**
 * `'gpu'`: a real GPU or an error. tfjs-node-gpu when it loads and runs on a GPU device, else TF.js's
 * webgpu backend on a hardware adapter; SwiftShader, lavapipe, llvmpipe and WebGPU's fallback adapter
 * are refused. The error names what each route found and what is missing.
 */
export async function activateGpu(options: Readonly<WebGpuOptions>, deterministic: boolean, loadModule: ModuleLoader, auto = false): Promise<string> {
  let cuda: BackendUnavailableError;
  try {
    return await activateNodeBinding('gpu', loadModule);
  } catch (error) {
    if (!(error instanceof BackendUnavailableError)) throw error;
    cuda = error;
  }
  let webgpu: BackendUnavailableError;
  try {
    // 'auto' on a machine without any Vulkan driver: nothing to find, and Dawn would say so on stderr.
    if (auto && options.backend === undefined && !vulkanDriverListed()) {
      throw new BackendUnavailableError('cairn: no Vulkan driver is installed', 'no Vulkan driver', true);
    }
    return await activateWebGpu('gpu', options, deterministic, loadModule, refuseSoftware);
  } catch (error) {
    if (!(error instanceof BackendUnavailableError)) throw error;
    webgpu = error;
  }
  const said = (e: BackendUnavailableError): string => e.message.replace(/^cairn: accelerator 'gpu'(: )?/, '').trim();
  const found = `cairn: accelerator 'gpu' found no GPU. tfjs-node-gpu: ${said(cuda)} WebGPU: ${said(webgpu)}`;
  throw new BackendUnavailableError(
    `${found}${/[.!]$/.test(found) ? '' : '.'} ${MISSING}`,
    webgpu.notInstalled ? cuda.summary : `no GPU (${cuda.summary}; ${webgpu.summary})`,
    // tfjs-node-gpu absent is the ordinary case 'auto' states in few words; what WebGPU found is kept.
    cuda.notInstalled,
    { cause: cuda.cause ?? webgpu, detail: webgpu.notInstalled ? undefined : webgpu.summary },
  );
}
