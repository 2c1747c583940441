import * as tf from '@tensorflow/tfjs';
import { candidatesFor, type Accelerator, type ConcreteAccelerator } from './accelerator.js';
import { BackendUnavailableError } from './backend-unavailable.js';
import { activateGpu } from './gpu.js';
import { activateNodeBinding } from './node-binding.js';
import { loadOptionalPackage, type ModuleLoader } from './optional-packages.js';
import { installCpuCastFix } from './cpu-cast-fix.js';
import { activateWebGpu } from './webgpu/activate.js';
import { checkWebGpuOptions, type WebGpuOptions } from './webgpu/options.js';
import { quietCpuBanner } from './quiet-cpu-banner.js';
import { activateWasm, importWasmPackage, type WasmLoader } from './wasm-setup.js';

// At import, not at fit: the data a user builds before fit lives on cpu until a backend is chosen.
installCpuCastFix();
quietCpuBanner();

export type { Accelerator } from './accelerator.js';

export interface BackendInfo {
  /** The accelerator in use: what was asked for, or what `'auto'` resolved to (never `'auto'`). */
  accelerator: Accelerator;
  /** `tf.getBackend()` after setup: 'tensorflow', 'webgpu', 'wasm' or 'cpu'. */
  backend: string;
  /** Human-readable: what runs the kernels, and for `'auto'` why faster candidates were skipped. */
  description: string;
}

export interface SelectBackendOptions {
  /** Receives the one-line report of the chosen backend (only when the choice changes). */
  print?: (line: string) => void;
  /** Loads the optional packages (tfjs-node, tfjs-node-gpu, webgpu, tfjs-backend-webgpu). Injected by tests. */
  loadModule?: ModuleLoader;
  /** Dawn's adapter and toggles, for `'webgpu'` and the WebGPU route of `'gpu'`/`'auto'`. */
  webgpu?: WebGpuOptions;
  /** Avoid kernels whose summation order varies between runs (webgpu's split-K matmul). Default true. */
  deterministic?: boolean;
  /** Imports @tensorflow/tfjs-backend-wasm; defaults to `import()`. Injected by tests to make wasm fail. */
  loadWasm?: WasmLoader;
}

/** The last report logged, so that repeated calls with the same outcome (fit, then validate) stay quiet. */
let lastReport: string | undefined;

interface Loaders {
  loadModule: ModuleLoader;
  loadWasm: WasmLoader;
  webgpu: Readonly<WebGpuOptions>;
  deterministic: boolean;
  /** Trying candidates for 'auto': a GPU route that needs a driver is only probed when one is installed. */
  auto: boolean;
}

async function activate(accelerator: ConcreteAccelerator, loaders: Loaders): Promise<string> {
  switch (accelerator) {
    case 'gpu':
      return activateGpu(loaders.webgpu, loaders.deterministic, loaders.loadModule, loaders.auto);
    case 'webgpu':
      return activateWebGpu('webgpu', loaders.webgpu, loaders.deterministic, loaders.loadModule);
    case 'tensorflow':
      return activateNodeBinding(accelerator, loaders.loadModule);
    case 'wasm':
      return activateWasm(loaders.loadWasm);
    case 'cpu':
      if (!(await tf.setBackend('cpu'))) {
        throw new BackendUnavailableError("cairn: the pure-JavaScript 'cpu' backend failed to initialize.", 'cpu failed', false);
      }
      return 'pure JavaScript';
  }
}

/**
 * Why `'auto'` skipped the faster candidates. The common case (neither tfjs-node package installed)
 * is said in three words, also when wasm failed after them, so that the line names the real problem.
 */
function skippedSummary(skipped: readonly BackendUnavailableError[]): string | undefined {
  if (skipped.length === 0) return undefined;
  const absent = skipped.filter((e) => e.notInstalled);
  if (absent.length !== 2) return skipped.map((e) => e.summary).join('; ');
  return ['no tfjs-node found', ...absent.flatMap((e) => e.detail ?? []), ...skipped.filter((e) => !e.notInstalled).map((e) => e.summary)].join('; ');
}

/**
 * Makes the requested accelerator tfjs' active backend. `'auto'` tries, in order, a real GPU (tfjs-node-gpu
 * on CUDA, then WebGPU on a hardware adapter), tfjs-node, WebAssembly and pure JavaScript, and takes the first that works; an explicit accelerator that
 * cannot run throws an Error saying what to install. Cheap to call again: backends are initialized once.
 */
export async function selectBackend(accelerator: Accelerator, options: SelectBackendOptions = {}): Promise<BackendInfo> {
  const candidates = candidatesFor(accelerator);
  const loaders: Loaders = {
    loadModule: options.loadModule ?? loadOptionalPackage,
    loadWasm: options.loadWasm ?? importWasmPackage,
    webgpu: checkWebGpuOptions(options.webgpu ?? {}),
    deterministic: options.deterministic ?? true,
    auto: accelerator === 'auto',
  };
  const skipped: BackendUnavailableError[] = [];
  for (const candidate of candidates) {
    let description: string;
    try {
      description = await activate(candidate, loaders);
    } catch (error) {
      // Only 'auto' moves on; an explicit request, or an unexpected error, is the caller's to see.
      if (accelerator !== 'auto' || !(error instanceof BackendUnavailableError)) throw error;
      skipped.push(error);
      continue;
    }
    const why = skippedSummary(skipped);
    const info: BackendInfo = {
      accelerator: candidate,
      backend: tf.getBackend(),
      description: why === undefined ? description : `${description}, ${why}`,
    };
    const report = `cairn: backend ${info.backend} (${info.description})`;
    if (report !== lastReport) {
      lastReport = report;
      options.print?.(report);
    }
    return info;
  }
  // Unreachable in practice: 'cpu' is pure JavaScript and always registered by tfjs.
  throw new Error(`cairn: no backend could be started (${skippedSummary(skipped) ?? 'nothing tried'})`);
}
