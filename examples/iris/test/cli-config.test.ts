import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it, onTestFinished } from 'vitest';

const BIN = fileURLToPath(new URL('../node_modules/@cairn/cli/dist/bin.js', import.meta.url));
const CONFIG = fileURLToPath(new URL('../run.yaml', import.meta.url));

function cairn(args: readonly string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
}

// The example's run.yaml works as shipped: the built `cairn` fits it (a few epochs), tests the last
// checkpoint and writes the run report from both loggers' folders.
it('run.yaml: cairn fit, cairn test --ckpt-path last, cairn report', async () => {
  const cwd = await mkdtemp(join(tmpdir(), 'cairn-iris-cli-'));
  onTestFinished(() => rm(cwd, { recursive: true, force: true }));
  const fit = await cairn(['fit', '--config', CONFIG, '--trainer.maxEpochs', '4', '--json'], cwd);
  expect(fit.code, fit.stderr).toBe(0);
  const result = JSON.parse(fit.stdout) as { epochs: number; logDir: string; bestModelPath: string };
  expect(result.epochs).toBe(4);
  expect(result.logDir).toBe(join('runs', 'iris', 'version_0'));
  expect(existsSync(result.bestModelPath)).toBe(true);

  const test = await cairn(['test', '--config', CONFIG, '--ckpt-path', 'last', '--json'], cwd);
  expect(test.code, test.stderr).toBe(0);
  const tested = JSON.parse(test.stdout) as { metrics: { test_acc: number }; ckptPath: string };
  expect(tested.ckptPath).toMatch(/last\.ckpt$/);
  expect(tested.metrics.test_acc).toBeGreaterThan(0);

  const report = await cairn(['report', 'runs/iris/version_0', 'runs/iris-tb/version_0', '--json'], cwd);
  expect(report.code, report.stderr).toBe(0);
  const charts = (JSON.parse(report.stdout) as { charts: { title: string }[] }).charts.map((c) => c.title);
  expect(charts).toEqual(['acc', 'loss', 'learning rate']);
  expect(existsSync(join(cwd, 'runs', 'iris', 'version_0', 'report.html'))).toBe(true);
}, 120_000);
