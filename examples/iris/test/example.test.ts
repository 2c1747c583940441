import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it, onTestFinished } from 'vitest';
import { captures, runExample } from '../../test-helpers/run-example.js';

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

  const [csvPath] = captures(run.stdout, /metrics log: (\S+)/);
  const lines = (await readFile(join(run.cwd, csvPath!), 'utf8')).trim().split('\n');
  expect(lines[0]).toContain('val_acc');
  expect(lines.length).toBeGreaterThan(Number(epochs));
}, 60_000);
