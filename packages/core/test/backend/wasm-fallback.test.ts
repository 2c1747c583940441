import { afterEach, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src/backend/select-backend.js';
import type { WasmLoader } from '../../src/backend/wasm-setup.js';
import { loader } from './fake-loaders.js';

// A file of its own: the real wasm package is never imported here, so the stand-ins below are the
// only 'wasm' backend this process sees.

const noTfjsNode = loader([]);
const missingPackage = new Error("Cannot find module '@tensorflow/tfjs-backend-wasm'");

/** The package cannot be imported (missing, or its .wasm binary unreadable). */
const brokenImport: WasmLoader = async () => {
  throw missingPackage;
};

/** The package loads and registers 'wasm', but the backend cannot start (no WebAssembly in this runtime). */
const failingInit: WasmLoader = async () => {
  if (tf.findBackendFactory('wasm') === null) {
    tf.registerBackend('wasm', () => {
      throw new Error('WebAssembly is not defined');
    }, -1);
  }
  return { setWasmPaths: () => undefined };
};

/** The package loads but registers nothing (a stub or a mismatched version). */
const registersNothing: WasmLoader = async () => ({ setWasmPaths: () => undefined });

function recordLines(): { lines: string[]; print: (line: string) => void } {
  const lines: string[] = [];
  return { lines, print: (line) => void lines.push(line) };
}

afterEach(async () => {
  vi.restoreAllMocks();
  await tf.setBackend('cpu');
  if (tf.findBackendFactory('wasm') !== null) tf.removeBackend('wasm');
});

describe("'auto' when wasm fails", () => {
  it('falls back to cpu when the wasm package fails to load, and says why in one line, once', async () => {
    const { lines, print } = recordLines();
    const info = await selectBackend('auto', { print, loadModule: noTfjsNode, loadWasm: brokenImport });
    const description = `pure JavaScript, no tfjs-node found; wasm setup failed: ${missingPackage.message}`;
    expect(info).toEqual({ accelerator: 'cpu', backend: 'cpu', description });
    expect(tf.getBackend()).toBe('cpu');
    await selectBackend('auto', { print, loadModule: noTfjsNode, loadWasm: brokenImport });
    expect(lines).toEqual([`cairn: backend cpu (${description})`]);
  });

  it('falls back to cpu when the wasm backend fails to initialize, after the tfjs warning', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { lines, print } = recordLines();
    const info = await selectBackend('auto', { print, loadModule: noTfjsNode, loadWasm: failingInit });
    expect(info).toEqual({ accelerator: 'cpu', backend: 'cpu', description: 'pure JavaScript, no tfjs-node found; wasm failed to initialize' });
    expect(tf.getBackend()).toBe('cpu');
    expect(lines).toEqual(['cairn: backend cpu (pure JavaScript, no tfjs-node found; wasm failed to initialize)']);
    // The report says "see the tfjs warning above": that warning must exist.
    expect(warn.mock.calls.flat().join('\n')).toContain('Initialization of backend wasm failed');
  });

  it('falls back to cpu when the wasm package registers no backend', async () => {
    const info = await selectBackend('auto', { loadModule: noTfjsNode, loadWasm: registersNothing });
    expect(info).toMatchObject({ accelerator: 'cpu', backend: 'cpu' });
    expect(info.description).toContain('wasm registered no backend');
  });

  it('keeps every reason in the line when tfjs-node-gpu is broken rather than absent', async () => {
    // Only both tfjs-node packages missing is folded into 'no tfjs-node found'.
    const cuda = new Error('libcudart.so.11.0: cannot open shared object file');
    const info = await selectBackend('auto', { loadModule: loader([], { '@tensorflow/tfjs-node-gpu': cuda }), loadWasm: brokenImport });
    expect(info.description).toBe(
      `pure JavaScript, @tensorflow/tfjs-node-gpu failed to load: ${cuda.message}; @tensorflow/tfjs-node not installed; wasm setup failed: ${missingPackage.message}`,
    );
  });
});

describe("explicit 'wasm' when wasm fails: the full explanation is thrown, no fallback", () => {
  it('a package that fails to load, with the cause', async () => {
    const attempt = selectBackend('wasm', { loadWasm: brokenImport });
    await expect(attempt).rejects.toThrow(`cairn: accelerator 'wasm': @tensorflow/tfjs-backend-wasm could not be set up: ${missingPackage.message}`);
    await expect(attempt).rejects.toMatchObject({ name: 'BackendUnavailableError', cause: missingPackage });
  });

  it('a backend that fails to initialize', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    await expect(selectBackend('wasm', { loadWasm: failingInit })).rejects.toThrow(/the WebAssembly backend failed to initialize/);
  });

  it('a package that registers no backend', async () => {
    await expect(selectBackend('wasm', { loadWasm: registersNothing })).rejects.toThrow(/registered no 'wasm' backend/);
  });
});
