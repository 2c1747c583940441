import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it, onTestFinished } from 'vitest';
import { captures, runExample } from '../../test-helpers/run-example.js';
import { webGpuEnv } from '../../test-helpers/webgpu-env.js';

// The example is the end-to-end check of the whole stack on real data: wasm backend, top-k
// checkpoints, early stopping, the CSV log and reloading the best file.
it('trains on wasm to a best checkpoint above 0.9 validation accuracy that reloads with the same score', async () => {
  const run = await runExample('iris', new URL('../dist/main.js', import.meta.url));
  onTestFinished(() => rm(run.cwd, { recursive: true, force: true }));
  expect(run.exitCode, run.stderr).toBe(0);
  expect(run.stderr).toContain('cairn: backend wasm (WebAssembly');

  const [epochs, reason] = captures(run.stdout, /stopped after (\d+) epochs \((\w+)\)/);
  expect(Number(epochs)).toBeGreaterThan(0);
  expect(Number(epochs)).toBeLessThanOrEqual(60);
  expect(['maxEpochs', 'shouldStop']).toContain(reason);

  const [bestPath, bestScore] = captures(run.stdout, /best model: (\S+) \(val_acc=([\d.]+)\)/);
  expect(bestPath!.startsWith(join(run.cwd, 'runs', 'iris'))).toBe(true);
  expect(existsSync(bestPath!)).toBe(true);
  // The reloaded weights score what the checkpoint recorded: the file holds the best model, not the last.
  const [reloaded] = captures(run.stdout, /reloaded best checkpoint: val_acc=([\d.]+)/);
  expect(Number(reloaded)).toBeGreaterThan(0.9);
  expect(reloaded).toBe(bestScore);
  // trainer.test(..., { ckptPath: 'best' }) scores the same file on the same flowers in uneven batches.
  const [tested] = captures(run.stdout, /tested best checkpoint: test_acc=([\d.]+)/);
  expect(tested).toBe(bestScore);

  const [csvPath] = captures(run.stdout, /metrics log: (\S+)/);
  const lines = (await readFile(join(run.cwd, csvPath!), 'utf8')).trim().split('\n');
  expect(lines[0]).toContain('val_acc');
  expect(lines.length).toBeGreaterThan(Number(epochs));
}, 60_000);

// `--accelerator webgpu`: the same run through Dawn (SwiftShader here, required under CI=true): checkpoints
// captured from GPU memory, the best one reloaded and scored.
it('trains with --accelerator webgpu, names the adapter, and its best checkpoint reloads with the same score', async ({ skip }) => {
  const env = webGpuEnv();
  if (env === undefined) return skip('no WebGPU adapter here (packages/core/scripts/install-swiftshader.sh installs one)');
  const run = await runExample('iris', new URL('../dist/main.js', import.meta.url), ['--accelerator', 'webgpu'], env);
  onTestFinished(() => rm(run.cwd, { recursive: true, force: true }));
  expect(run.exitCode, run.stderr).toBe(0);
  expect(run.stderr).toMatch(/cairn: backend webgpu \(WebGPU through Dawn on \S+ \S+, /);
  const [, bestScore] = captures(run.stdout, /best model: (\S+) \(val_acc=([\d.]+)\)/);
  const [reloaded] = captures(run.stdout, /reloaded best checkpoint: val_acc=([\d.]+)/);
  expect(Number(reloaded)).toBeGreaterThan(0.9);
  expect(reloaded).toBe(bestScore);
}, 120_000);
