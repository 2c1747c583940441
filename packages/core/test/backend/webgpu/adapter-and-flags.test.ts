import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/backend/select-backend.js';
import { adapterLine, describeAdapter } from '../../../src/backend/webgpu/adapter.js';
import { checkWebGpuOptions, dawnFlags } from '../../../src/backend/webgpu/options.js';
import { vulkanDriverListed } from '../../../src/backend/webgpu/vulkan-drivers.js';
import { Trainer } from '../../../src/trainer/trainer.js';
import { loader, notFound } from '../fake-loaders.js';
import { useWebGpu } from './webgpu-adapter.js';

const quiet = { print: (): void => {} };

describe('webgpu options', () => {
  it('map to the flags Dawn reads', () => {
    expect(dawnFlags(checkWebGpuOptions({ backend: 'vulkan', adapter: 'NVIDIA', enableToggles: ['allow_unsafe_apis'], disableToggles: ['a', 'b_c'] }))).toEqual([
      'backend=vulkan', 'adapter=NVIDIA', 'enable-dawn-features=allow_unsafe_apis', 'disable-dawn-features=a,b_c',
    ]);
    expect(dawnFlags(checkWebGpuOptions({}))).toEqual([]);
  });

  it('refuse what Dawn would silently ignore or misread, at Trainer construction', () => {
    expect(() => new Trainer({ webgpu: { adaptor: 'x' } as never })).toThrow(/webgpu: unknown option 'adaptor'/);
    expect(() => new Trainer({ webgpu: { backend: 'cuda' as never } })).toThrow(/option 'backend' must be one of 'vulkan'/);
    expect(() => new Trainer({ webgpu: { adapter: 'a,backend=null' } })).toThrow(/option 'adapter'/);
    expect(() => new Trainer({ webgpu: { enableToggles: ['x,y'] } })).toThrow(/option 'enableToggles'/);
    expect(() => new Trainer({ webgpu: { powerPreference: 'fast' as never } })).toThrow(/option 'powerPreference'/);
    expect(() => new Trainer({ deterministic: 'yes' as never })).toThrow(/option 'deterministic' must be a boolean/);
    expect(() => new Trainer({ accelerator: 'webgpu', webgpu: { backend: 'vulkan' }, deterministic: false })).not.toThrow();
  });
});

describe('adapter description', () => {
  it('tells software adapters from hardware ones', () => {
    const swift = describeAdapter({ vendor: 'google', architecture: 'swiftshader', device: 'swiftshader-device-subzero-', description: 'SwiftShader driver 5.0.0' });
    expect(swift.software).toMatch(/SwiftShader is a software Vulkan driver/);
    expect(describeAdapter({ vendor: 'mesa', device: 'llvmpipe (LLVM 15.0.6, 256 bits)', description: 'Mesa 22.3.6' }).software).toMatch(/llvmpipe/);
    expect(describeAdapter({ vendor: 'mesa', device: 'lavapipe', description: '' }).software).toMatch(/lavapipe/);
    expect(describeAdapter({ vendor: 'x', device: 'y', description: 'z' }, true).software).toMatch(/fallback adapter/);
    const nvidia = describeAdapter({ vendor: 'nvidia', architecture: 'hopper', device: 'NVIDIA H200', description: 'NVIDIA: 580.65.06 580.65.6.0' });
    expect(nvidia.software).toBeUndefined();
    expect(adapterLine(nvidia)).toBe('nvidia NVIDIA H200, NVIDIA: 580.65.06 580.65.6.0');
  });
});

describe("accelerator 'webgpu'", () => {
  it('without its packages says what to install', async () => {
    const attempt = selectBackend('webgpu', { ...quiet, loadModule: loader([]) });
    await expect(attempt).rejects.toThrow('npm install webgpu@0.6.2 @tensorflow/tfjs-backend-webgpu@4.22.0');
    await expect(selectBackend('webgpu', { ...quiet, loadModule: async (name) => (name === 'webgpu' ? Promise.reject(notFound(name)) : {}) }))
      .rejects.toThrow(/webgpu is not installed/);
  });

  it('with an adapter name that matches nothing lists the adapters Dawn has', async ({ skip }) => {
    await useWebGpu(skip);
    await expect(selectBackend('webgpu', { ...quiet, webgpu: { adapter: 'NoSuchGpu' } })).rejects.toThrow(/Dawn found no adapter for adapter=NoSuchGpu: .*Available adapters/);
  });

  it('starts on the adapter, names vendor, device and driver in the start line, and runs deterministic by default', async ({ skip }) => {
    await useWebGpu(skip);
    const info = await selectBackend('webgpu', { ...quiet, webgpu: { backend: 'vulkan' } });
    expect(info.backend).toBe('webgpu');
    expect(tf.getBackend()).toBe('webgpu');
    // vendor device, driver (SwiftShader: "google swiftshader-device-subzero-, SwiftShader driver 5.0.0 (software)")
    expect(info.description).toMatch(/^WebGPU through Dawn on \S+ \S+, \S.*\d/);
    expect(tf.env().get('WEBGPU_MATMUL_PROGRAM_TYPE')).toBe(3);
    const a = tf.tensor2d([[1, 2], [3, 4]]);
    expect(Array.from(await tf.matMul(a, a).data())).toEqual([7, 10, 15, 22]);
    await selectBackend('webgpu', { ...quiet, webgpu: { backend: 'vulkan' }, deterministic: false });
    expect(tf.env().get('WEBGPU_MATMUL_PROGRAM_TYPE')).toBe(-1);
  });
});

describe("accelerator 'gpu'", () => {
  it('refuses a software adapter, naming what was found and what is missing', async ({ skip }) => {
    const { description } = await useWebGpu(skip);
    if (!/software/.test(description)) skip(`this machine has a hardware adapter (${description})`);
    const attempt = selectBackend('gpu', quiet);
    await expect(attempt).rejects.toThrow(/found no GPU\. tfjs-node-gpu: .*not installed.* WebGPU: WebGPU found only .*driver.*which is no GPU: .* software/);
    await expect(attempt).rejects.toThrow(/What is missing for a GPU: .*tfjs-node-gpu with CUDA 11\.2.*hardware Vulkan driver/);
  });

  it("'auto' passes over the software adapter to the next candidate and says why", async ({ skip }) => {
    const { description } = await useWebGpu(skip);
    if (!/software/.test(description)) skip(`this machine has a hardware adapter (${description})`);
    const info = await selectBackend('auto', quiet);
    expect(info.accelerator).toBe('wasm');
    expect(info.description).toMatch(/no tfjs-node found; WebGPU adapter is software/);
  });

  it('does not count tfjs-node-gpu running on the CPU as a GPU', async () => {
    const loadModule = async (name: string): Promise<unknown> => {
      // tfjs-node-gpu without CUDA: loads, registers 'tensorflow', reports no GPU device.
      if (name === '@tensorflow/tfjs-node-gpu') {
        if (tf.findBackendFactory('tensorflow') === null) tf.registerBackend('tensorflow', () => Object.assign(new tf.MathBackendCPU(), { isUsingGpuDevice: false }), -1);
        if (tf.getKernelsForBackend('tensorflow').length === 0) tf.copyRegisteredKernels('cpu', 'tensorflow');
        return {};
      }
      throw notFound(name);
    };
    await expect(selectBackend('gpu', { ...quiet, loadModule })).rejects.toThrow(/found no GPU device \(isUsingGpuDevice is false\)/);
  });
});

describe('Vulkan driver lookup', () => {
  it("finds drivers named by the loader's variables or listed in its folders, and none elsewhere", async () => {
    const empty = await mkdtemp(join(tmpdir(), 'cairn-icd-'));
    const bare = { XDG_CONFIG_DIRS: empty, XDG_DATA_DIRS: empty, XDG_DATA_HOME: empty };
    // /etc/vulkan/icd.d is searched too; this machine's test setup must not have put a driver there.
    expect(vulkanDriverListed(bare)).toBe(false);
    expect(vulkanDriverListed({ ...bare, VK_ICD_FILENAMES: '/x/nvidia_icd.json' })).toBe(true);
    await mkdir(join(empty, 'vulkan/icd.d'), { recursive: true });
    await writeFile(join(empty, 'vulkan/icd.d/nvidia_icd.json'), '{}');
    expect(vulkanDriverListed(bare)).toBe(true);
  });
});
