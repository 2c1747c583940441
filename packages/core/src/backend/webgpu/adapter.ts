/** The fields of a WebGPU `GPUAdapterInfo` that Dawn fills in (getters on its prototype, so not enumerable). */
export interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

export interface AdapterDescription {
  vendor: string;
  architecture: string;
  device: string;
  /** Dawn's description, which on Vulkan names the driver and its version ("NVIDIA 580.65.06", "SwiftShader driver 5.0.0"). */
  driver: string;
  /** Why this adapter is not a real GPU (a CPU implementation of Vulkan or WebGPU's fallback adapter), or undefined for a hardware one. */
  software: string | undefined;
}

/** Vulkan implementations that run on the CPU: they train correctly but are no GPU. */
const SOFTWARE_DRIVERS: readonly [RegExp, string][] = [
  [/swiftshader/i, 'SwiftShader'],
  [/lavapipe/i, 'lavapipe'],
  [/llvmpipe/i, 'llvmpipe'],
];

/** Reads Dawn's adapter info into plain fields and decides whether the adapter is software. */
export function describeAdapter(info: AdapterInfoLike | undefined, isFallbackAdapter = false): AdapterDescription {
  const vendor = info?.vendor || 'unknown vendor';
  const architecture = info?.architecture ?? '';
  const device = info?.device || 'unknown device';
  const driver = info?.description || 'unknown driver';
  const text = `${vendor} ${architecture} ${device} ${driver}`;
  const named = SOFTWARE_DRIVERS.find(([pattern]) => pattern.test(text))?.[1];
  const fallback = isFallbackAdapter || info?.isFallbackAdapter === true;
  const software = named !== undefined ? `${named} is a software Vulkan driver` : fallback ? 'it is WebGPU\'s fallback adapter' : undefined;
  return { vendor, architecture, device, driver, software };
}

/** One line for the start report: "google swiftshader-device-subzero-, SwiftShader driver 5.0.0 (software)". */
export function adapterLine(a: AdapterDescription): string {
  return `${a.vendor} ${a.device}, ${a.driver}${a.software === undefined ? '' : ' (software)'}`;
}
