import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it, onTestFinished } from 'vitest';
import { captures, runExample } from '../../test-helpers/run-example.js';

// Conv layers train on wasm only thanks to the kernels Cairn registers: this run fails if they break.
it('trains the conv net on wasm above 0.9 validation accuracy and keeps its best checkpoint', async () => {
  const run = await runExample('convnet', new URL('../dist/main.js', import.meta.url));
  onTestFinished(() => rm(run.cwd, { recursive: true, force: true }));
  expect(run.exitCode, run.stderr).toBe(0);
  expect(run.stderr).toContain('cairn: backend wasm (WebAssembly');

  const [backend, epochs, reason] = captures(run.stdout, /backend: (\w+); stopped after (\d+) epochs \((\w+)\)/);
  expect(backend).toBe('wasm');
  expect(Number(epochs)).toBeGreaterThan(0);
  expect(Number(epochs)).toBeLessThanOrEqual(8);
  expect(['maxEpochs', 'shouldStop']).toContain(reason);

  const [finalAcc, bestPath] = captures(run.stdout, /final val_acc=([\d.]+); best model: (\S+)/);
  expect(Number(finalAcc)).toBeGreaterThan(0.9);
  expect(bestPath!.startsWith(join(run.cwd, 'runs', 'convnet'))).toBe(true);
  expect(existsSync(bestPath!)).toBe(true);

  const [csvPath] = captures(run.stdout, /metrics log: (\S+)/);
  const lines = (await readFile(join(run.cwd, csvPath!), 'utf8')).trim().split('\n');
  expect(lines[0]).toContain('val_acc');
  expect(lines.length).toBeGreaterThan(Number(epochs));
}, 60_000);

