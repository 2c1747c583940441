import * as tf from '@tensorflow/tfjs';
import { BackendUnavailableError, errorMessage } from '../backend-unavailable.js';
import { isPackageMissing, type ModuleLoader } from '../optional-packages.js';
import { adapterLine, describeAdapter, type AdapterDescription, type AdapterInfoLike } from './adapter.js';
import { markAsyncReadOnly } from './async-reads.js';
import { DeviceErrors, type ObservedDevice } from './device-errors.js';
import { dawnFlags, type WebGpuOptions } from './options.js';

export const DAWN_PACKAGE = 'webgpu';
export const WEBGPU_BACKEND_PACKAGE = '@tensorflow/tfjs-backend-webgpu';
export const WEBGPU_INSTALL = 'npm install webgpu@0.6.2 @tensorflow/tfjs-backend-webgpu@4.22.0';
const BACKEND_NAME = 'webgpu';

interface GpuDevice extends ObservedDevice {
  destroy(): void;
  readonly queue: { onSubmittedWorkDone(): Promise<void> };
}
interface GpuAdapter {
  readonly info?: AdapterInfoLike;
  readonly isFallbackAdapter?: boolean;
  readonly limits: Readonly<Record<string, number>>;
  requestDevice(descriptor: { requiredLimits: Record<string, number> }): Promise<GpuDevice>;
}
interface Gpu {
  requestAdapter(options: { powerPreference: string }): Promise<GpuAdapter | null>;
}
interface DawnPackage {
  create(flags: string[]): Gpu;
  globals: Record<string, unknown>;
}
interface WebGpuBackendPackage {
  WebGPUBackend: new (device: GpuDevice, adapterInfo?: AdapterInfoLike) => tf.KernelBackend;
}
/** The parts of tfjs-backend-webgpu 4.22's WebGPUBackend that Cairn wraps or flushes. */
interface WebGpuBackendInternals {
  read(dataId: object): Promise<tf.backend_util.BackendValues>;
  readSync(dataId: object): tf.backend_util.BackendValues;
  submitQueue?(): void;
  /** Non-null while commands wait to be submitted; submitQueue() fails without one. */
  commandEncoder?: object | null;
}

/** Limits TF.js's own registration asks for: without them Dawn grants WebGPU's small defaults and big tensors fail. */
const REQUIRED_LIMITS = [
  'maxComputeWorkgroupStorageSize', 'maxComputeWorkgroupsPerDimension', 'maxStorageBufferBindingSize',
  'maxBufferSize', 'maxComputeWorkgroupSizeX', 'maxComputeInvocationsPerWorkgroup',
] as const;

/** An adapter Dawn found, before any device is made on it. */
export interface OpenedAdapter {
  key: string;
  description: AdapterDescription;
  adapter: GpuAdapter;
  gpu: Gpu;
  powerPreference: string;
  dawn: DawnPackage;
  backendPackage: WebGpuBackendPackage;
}

/** What the registered 'webgpu' backend runs on. */
interface Registration {
  opened: OpenedAdapter;
  errors: DeviceErrors;
  device?: GpuDevice;
  backend?: WebGpuBackendInternals;
}

/** Per loader (tests inject their own), per options. */
const opened = new WeakMap<ModuleLoader, Map<string, Promise<OpenedAdapter>>>();
let registration: Registration | undefined;
let globalsInstalled = false;

async function load<T>(loadModule: ModuleLoader, name: string): Promise<T | Error> {
  try {
    return (await loadModule(name)) as T;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

async function loadPackages(request: string, loadModule: ModuleLoader): Promise<Pick<OpenedAdapter, 'dawn' | 'backendPackage'>> {
  // The backend package first, while no navigator.gpu exists: otherwise it registers 'webgpu' itself, with
  // none of the limits or error listeners set up here.
  const backendPackage = await load<WebGpuBackendPackage>(loadModule, WEBGPU_BACKEND_PACKAGE);
  const dawn = await load<DawnPackage>(loadModule, DAWN_PACKAGE);
  const failures = ([[WEBGPU_BACKEND_PACKAGE, backendPackage], [DAWN_PACKAGE, dawn]] as const).filter(([, p]) => p instanceof Error);
  const missing = failures.filter(([name, error]) => isPackageMissing(error, name)).map(([name]) => name);
  if (missing.length > 0) {
    throw new BackendUnavailableError(
      `cairn: accelerator '${request}' needs the optional packages webgpu (Dawn) and @tensorflow/tfjs-backend-webgpu; ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not installed. Install them with \`${WEBGPU_INSTALL}\`.`,
      `${missing.join(', ')} not installed`, true,
    );
  }
  const [broken] = failures;
  if (broken !== undefined) {
    throw new BackendUnavailableError(
      `cairn: accelerator '${request}': ${broken[0]} is installed but failed to load: ${errorMessage(broken[1])}. Reinstall it with \`${WEBGPU_INSTALL}\` (webgpu must be exactly 0.6.2 on Debian 12).`,
      `${broken[0]} failed to load`, false, { cause: broken[1] },
    );
  }
  const ready = { dawn: dawn as DawnPackage, backendPackage: backendPackage as WebGpuBackendPackage };
  if (typeof ready.dawn.create !== 'function' || typeof ready.backendPackage.WebGPUBackend !== 'function') {
    throw new BackendUnavailableError(`cairn: accelerator '${request}': webgpu or @tensorflow/tfjs-backend-webgpu is not the expected version (${WEBGPU_INSTALL}).`, 'unexpected webgpu packages', false);
  }
  return ready;
}

const NO_ADAPTER_HELP =
  'Dawn needs a Vulkan driver on Linux: libvulkan.so.1 (Debian: libvulkan1) and the GPU vendor\'s ICD (NVIDIA: nvidia_icd.json, pointed at by VK_ICD_FILENAMES when not in /usr/share/vulkan/icd.d). ' +
  'Without a GPU, packages/core/scripts/install-swiftshader.sh installs a software one (SwiftShader) and prints the VK_ICD_FILENAMES value.';

async function openAdapter(request: string, options: Readonly<WebGpuOptions>, loadModule: ModuleLoader): Promise<OpenedAdapter> {
  const packages = await loadPackages(request, loadModule);
  const flags = dawnFlags(options);
  const gpu = packages.dawn.create(flags);
  const powerPreference = options.powerPreference ?? 'high-performance';
  let adapter: GpuAdapter | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference });
  } catch (error) {
    // Dawn throws when the requested backend or adapter name matches nothing, and lists what it has.
    const said = (error instanceof Error ? error.message : String(error)).trim().replace(/\s*\n\s*/g, '; ');
    throw new BackendUnavailableError(`cairn: accelerator '${request}': Dawn found no adapter for ${flags.join(' ') || 'its defaults'}: ${said}`, `no WebGPU adapter (${said})`, false, { cause: error });
  }
  if (adapter === null) {
    throw new BackendUnavailableError(`cairn: accelerator '${request}': Dawn found no WebGPU adapter. ${NO_ADAPTER_HELP}`, 'no WebGPU adapter', false);
  }
  const description = describeAdapter(adapter.info, adapter.isFallbackAdapter === true);
  return { key: JSON.stringify(options), description, adapter, gpu, powerPreference, ...packages };
}

/**
 * The adapter Dawn picks for `options`, found once per process and options: asking Dawn again costs little,
 * but prints its Vulkan warnings again on machines without a driver.
 */
export function findAdapter(request: string, options: Readonly<WebGpuOptions>, loadModule: ModuleLoader): Promise<OpenedAdapter> {
  const key = JSON.stringify(options);
  let byOptions = opened.get(loadModule);
  if (byOptions === undefined) opened.set(loadModule, (byOptions = new Map()));
  let found = byOptions.get(key);
  if (found === undefined) {
    found = openAdapter(request, options, loadModule);
    // A failure is not kept: the user may install a driver or a package and call again.
    found.catch(() => byOptions.delete(key));
    byOptions.set(key, found);
  }
  return found;
}

/** WebGPUBackend's constructor and kernels read Dawn's constants (GPUBufferUsage, ...) from globals, as in a browser. */
function installGlobals(dawn: DawnPackage, gpu: Gpu): void {
  if (globalsInstalled) return;
  globalsInstalled = true;
  for (const [name, value] of Object.entries(dawn.globals)) {
    if (!(name in globalThis)) Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
  }
  Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
}

/** Reads turn a recorded Dawn failure into an error, and synchronous reads say what to use instead. */
function guardReads(backend: WebGpuBackendInternals, errors: DeviceErrors): void {
  const read = backend.read.bind(backend);
  const readSync = backend.readSync.bind(backend);
  backend.read = async (dataId) => {
    errors.throwIfFailed();
    const values = await read(dataId);
    // A failure reported while the read waited on the GPU means these values may be zeros.
    errors.throwIfFailed();
    return values;
  };
  backend.readSync = (dataId) => {
    try {
      return readSync(dataId);
    } catch (error) {
      throw new Error(
        'cairn: the webgpu backend cannot read tensor values synchronously in Node (dataSync, arraySync, bufferSync): ' +
        'use `await tensor.data()` or `await tensor.array()`.', { cause: error },
      );
    }
  };
}

function createBackend(reg: Registration): () => Promise<tf.KernelBackend> {
  return async () => {
    const { gpu, powerPreference, backendPackage } = reg.opened;
    // A fresh adapter each time: an adapter makes one device only, and TF.js may build the backend again
    // after it was removed (other options, then these again).
    const adapter = (await gpu.requestAdapter({ powerPreference })) ?? reg.opened.adapter;
    const requiredLimits: Record<string, number> = {};
    for (const limit of REQUIRED_LIMITS) {
      const value = adapter.limits[limit];
      if (value !== undefined) requiredLimits[limit] = value;
    }
    const device = await adapter.requestDevice({ requiredLimits });
    reg.errors.observe(device);
    const backend = new backendPackage.WebGPUBackend(device, adapter.info);
    guardReads(backend as unknown as WebGpuBackendInternals, reg.errors);
    markAsyncReadOnly(backend);
    reg.device = device;
    reg.backend = backend as unknown as WebGpuBackendInternals;
    return backend;
  };
}

/**
 * Registers TF.js's 'webgpu' backend on the adapter found for `options` (replacing one registered with
 * other options) and returns that adapter. The device is made when TF.js first initializes the backend.
 */
export async function registerWebGpu(request: string, options: Readonly<WebGpuOptions>, loadModule: ModuleLoader): Promise<AdapterDescription> {
  const found = await findAdapter(request, options, loadModule);
  if (registration?.opened === found && tf.findBackendFactory(BACKEND_NAME) !== null) return found.description;
  if (tf.findBackendFactory(BACKEND_NAME) !== null) {
    registration?.errors.expectDestroy();
    tf.removeBackend(BACKEND_NAME);
  }
  installGlobals(found.dawn, found.gpu);
  registration = { opened: found, errors: new DeviceErrors(adapterLine(found.description)) };
  // Lowest priority: TF.js never picks it on its own, only when Cairn sets it.
  tf.registerBackend(BACKEND_NAME, createBackend(registration), 0);
  return found.description;
}

/**
 * Waits until the GPU has run everything submitted so far and throws the first Dawn validation error or
 * device loss seen, if any. A no-op unless the active backend is Cairn's webgpu.
 */
export async function checkWebGpuHealth(): Promise<void> {
  const reg = registration;
  if (reg?.device === undefined || tf.getBackend() !== BACKEND_NAME) return;
  reg.errors.throwIfFailed();
  // TF.js batches commands before submitting them: flush, then wait for the queue to drain.
  if (reg.backend?.commandEncoder != null) reg.backend.submitQueue?.();
  await reg.device.queue.onSubmittedWorkDone();
  reg.errors.throwIfFailed();
}

/** The device TF.js's webgpu backend runs on, for tests that provoke Dawn errors on purpose. */
export function webGpuDevice(): unknown {
  return registration?.device;
}
