import { rejectUnknownOptions, type OptionKeys } from '../../options/known-options.js';

/** How Cairn sets up Dawn for `accelerator: 'webgpu'` (and for the WebGPU route of `'gpu'`). */
export interface WebGpuOptions {
  /** Dawn's native API: 'vulkan' (Linux), 'metal' (macOS), 'd3d12' (Windows), 'opengles', or 'null' (no GPU). Default: Dawn's choice. */
  backend?: 'vulkan' | 'metal' | 'd3d12' | 'opengles' | 'null';
  /** Part of the adapter's name (as Dawn lists it, e.g. 'NVIDIA', 'SwiftShader'); the first adapter whose name contains it is used. */
  adapter?: string;
  /** Passed to `requestAdapter`. Default 'high-performance' (TF.js's own default). */
  powerPreference?: 'high-performance' | 'low-power';
  /** Dawn toggles to turn on (`enable-dawn-features`), e.g. 'allow_unsafe_apis'. */
  enableToggles?: string[];
  /** Dawn toggles to turn off (`disable-dawn-features`), e.g. 'lazy_clear_resource_on_first_use'. */
  disableToggles?: string[];
}

const KNOWN: OptionKeys<WebGpuOptions> = { backend: true, adapter: true, powerPreference: true, enableToggles: true, disableToggles: true };
const BACKENDS: readonly string[] = ['vulkan', 'metal', 'd3d12', 'opengles', 'null'];
const POWER: readonly string[] = ['high-performance', 'low-power'];
// Dawn reads its flags as key=value strings split on commas: a name holding either would change other settings.
const TOGGLE = /^[a-z0-9_]+$/;

function fail(option: string, expected: string, got: unknown): never {
  throw new Error(`webgpu: option '${option}' must be ${expected}, got ${JSON.stringify(got) ?? String(got)}`);
}

/** Checks the options (unknown keys, values Dawn would silently ignore) and returns a frozen copy. */
export function checkWebGpuOptions(options: WebGpuOptions): Readonly<WebGpuOptions> {
  rejectUnknownOptions('webgpu', options, KNOWN);
  const { backend, adapter, powerPreference, enableToggles, disableToggles } = options;
  if (backend !== undefined && !BACKENDS.includes(backend)) fail('backend', `one of ${BACKENDS.map((b) => `'${b}'`).join(', ')}`, backend);
  if (adapter !== undefined && (typeof adapter !== 'string' || adapter.length === 0 || /[,=]/.test(adapter))) {
    fail('adapter', 'a non-empty part of an adapter name without , or =', adapter);
  }
  if (powerPreference !== undefined && !POWER.includes(powerPreference)) fail('powerPreference', "'high-performance' or 'low-power'", powerPreference);
  for (const [name, toggles] of [['enableToggles', enableToggles], ['disableToggles', disableToggles]] as const) {
    if (toggles === undefined) continue;
    if (!Array.isArray(toggles) || !toggles.every((t) => typeof t === 'string' && TOGGLE.test(t))) {
      fail(name, 'an array of Dawn toggle names (lowercase letters, digits, _)', toggles);
    }
  }
  return Object.freeze({ ...options, enableToggles: enableToggles && [...enableToggles], disableToggles: disableToggles && [...disableToggles] });
}

/** The strings Dawn's `create()` takes for these options. */
export function dawnFlags(options: Readonly<WebGpuOptions>): string[] {
  const flags: string[] = [];
  if (options.backend !== undefined) flags.push(`backend=${options.backend}`);
  if (options.adapter !== undefined) flags.push(`adapter=${options.adapter}`);
  if (options.enableToggles?.length) flags.push(`enable-dawn-features=${options.enableToggles.join(',')}`);
  if (options.disableToggles?.length) flags.push(`disable-dawn-features=${options.disableToggles.join(',')}`);
  return flags;
}
