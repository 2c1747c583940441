import { afterEach, describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { AUTO_ORDER, candidatesFor } from '../../src/backend/accelerator.js';
import { selectBackend, type Accelerator } from '../../src/backend/select-backend.js';
import { GPU_PACKAGE, loader, NODE_PACKAGE, notFound } from './fake-loaders.js';

afterEach(async () => {
  await tf.setBackend('cpu');
  if (tf.findBackendFactory('tensorflow') !== null) tf.removeBackend('tensorflow');
});

describe('candidatesFor', () => {
  it("tries gpu, tensorflow, wasm, cpu for 'auto', and only the named one otherwise", () => {
    expect(candidatesFor('auto')).toEqual(['gpu', 'tensorflow', 'wasm', 'cpu']);
    expect(AUTO_ORDER).toEqual(['gpu', 'tensorflow', 'wasm', 'cpu']);
    for (const a of ['gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'] as const) expect(candidatesFor(a)).toEqual([a]);
  });

  it('rejects an unknown accelerator, naming the accepted values', () => {
    expect(() => candidatesFor('tpu')).toThrow(/'auto', 'gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'/);
  });
});

describe('selectBackend', () => {
  it('rejects an unknown accelerator', async () => {
    await expect(selectBackend('cuda' as Accelerator)).rejects.toThrow(/unknown accelerator "cuda".*'auto', 'gpu'/);
  });

  it("'auto' picks tfjs-node-gpu when it loads", async () => {
    const info = await selectBackend('auto', { loadModule: loader([GPU_PACKAGE, NODE_PACKAGE]) });
    expect(info).toMatchObject({ accelerator: 'gpu', backend: 'tensorflow' });
    expect(info.description).toContain(GPU_PACKAGE);
    expect(tf.getBackend()).toBe('tensorflow');
  });

  it("'auto' falls back to tfjs-node when tfjs-node-gpu fails to load, and says why", async () => {
    const cuda = new Error('libcudart.so.11.0: cannot open shared object file: No such file or directory');
    const info = await selectBackend('auto', { loadModule: loader([NODE_PACKAGE], { [GPU_PACKAGE]: cuda }) });
    expect(info).toMatchObject({ accelerator: 'tensorflow', backend: 'tensorflow' });
    expect(info.description).toContain(`${GPU_PACKAGE} failed to load: libcudart.so.11.0`);
  });

  it("'auto' with neither tfjs-node package picks wasm and reports it once", async () => {
    const lines: string[] = [];
    const print = (line: string): void => void lines.push(line);
    const info = await selectBackend('auto', { print, loadModule: loader([]) });
    expect(info).toEqual({ accelerator: 'wasm', backend: 'wasm', description: 'WebAssembly SIMD, no tfjs-node found' });
    await selectBackend('auto', { print, loadModule: loader([]) });
    expect(lines).toEqual(['cairn: backend wasm (WebAssembly SIMD, no tfjs-node found)']);
  });

  it("'auto' with the real module loader finds no tfjs-node here and picks wasm", async () => {
    const info = await selectBackend('auto');
    expect(info).toMatchObject({ accelerator: 'wasm', backend: 'wasm' });
    expect(info.description).toContain('no tfjs-node found');
  });

  it("'auto' skips a package that loads but registers no backend", async () => {
    const info = await selectBackend('auto', { loadModule: async (name) => (name === GPU_PACKAGE ? {} : Promise.reject(notFound(name))) });
    expect(info.accelerator).toBe('wasm');
    expect(info.description).toContain(`${GPU_PACKAGE} registered no backend`);
  });

  it("'gpu' without tfjs-node-gpu throws an error saying what to install", async () => {
    const attempt = selectBackend('gpu', { loadModule: loader([NODE_PACKAGE]) });
    await expect(attempt).rejects.toThrow(`npm install ${GPU_PACKAGE}`);
    await expect(selectBackend('gpu', { loadModule: loader([]) })).rejects.toThrow(/CUDA 11\.2 and cuDNN 8\.1/);
  });

  it("'gpu' with a broken tfjs-node-gpu says it failed to load, with the cause", async () => {
    const broken = new Error('libcudnn.so.8: cannot open shared object file');
    const attempt = selectBackend('gpu', { loadModule: loader([], { [GPU_PACKAGE]: broken }) });
    await expect(attempt).rejects.toThrow(/installed but failed to load: libcudnn\.so\.8/);
    await expect(attempt).rejects.toMatchObject({ cause: broken });
  });

  it("'tensorflow' uses tfjs-node, and without it says what to install", async () => {
    await expect(selectBackend('tensorflow', { loadModule: loader([GPU_PACKAGE]) })).rejects.toThrow(`npm install ${NODE_PACKAGE}\``);
    const info = await selectBackend('tensorflow', { loadModule: loader([NODE_PACKAGE]) });
    expect(info).toMatchObject({ accelerator: 'tensorflow', backend: 'tensorflow' });
  });

  it("'wasm' and 'cpu' activate their backend; a repeated choice is not reported again", async () => {
    const lines: string[] = [];
    const print = (line: string): void => void lines.push(line);
    expect(await selectBackend('wasm', { print })).toEqual({ accelerator: 'wasm', backend: 'wasm', description: 'WebAssembly SIMD' });
    expect(await selectBackend('cpu', { print })).toEqual({ accelerator: 'cpu', backend: 'cpu', description: 'pure JavaScript' });
    await selectBackend('cpu', { print });
    expect(lines).toEqual(['cairn: backend wasm (WebAssembly SIMD)', 'cairn: backend cpu (pure JavaScript)']);
  });
});
