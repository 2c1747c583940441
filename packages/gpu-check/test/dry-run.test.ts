import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCheckpointFile } from '@cairn/core';
import { expect, it, onTestFinished } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const INSTALL = fileURLToPath(new URL('../../core/scripts/install-swiftshader.sh', import.meta.url));

/** The software Vulkan adapter core's script installs (required under CI=true: the script fails there without one). */
function softwareAdapter(): string | undefined {
  if (process.env.VK_ICD_FILENAMES) return process.env.VK_ICD_FILENAMES;
  return execFileSync('bash', [INSTALL], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop() || undefined;
}

/**
 * Runs a command without blocking this worker: the check takes minutes, and a synchronous child
 * starves vitest's worker RPC (it reports "Timeout calling onTaskUpdate" as an unhandled error).
 */
function runAsync(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, output }));
  });
}

// The prepared GPU check, end to end on SwiftShader: build (without the carried Node), run.sh with this
// machine's Node, every Cairn-side check, and the Python half (which skips, saying so, without torch).
it('the GPU check runs end to end with --allow-software --quick', async ({ skip }) => {
  const icd = softwareAdapter();
  if (icd === undefined) return skip('no software Vulkan adapter (packages/core/scripts/install-swiftshader.sh)');
  // A fixed folder: the build keeps its compressed dawn.node there between runs.
  const dist = join(tmpdir(), 'cairn-gpu-check-dry-run');
  const build = await runAsync(process.execPath, ['--import', 'tsx', join(root, 'scripts/build.ts'), '--out', dist, '--no-node'], { cwd: root });
  expect(build.status, build.output).toBe(0);
  const work = await mkdtemp(join(tmpdir(), 'cairn-gpu-check-work-'));
  onTestFinished(() => rm(work, { recursive: true, force: true }));

  const run = await runAsync('bash', [join(dist, 'run.sh'), '--allow-software', '--quick'], {
    env: { ...process.env, GPU_CHECK_NODE: process.execPath, GPU_CHECK_WORK: work, VK_ICD_FILENAMES: icd },
  });
  const output = run.output;
  expect(run.status, output).toBe(0);
  expect(output).toMatch(/gpu-check: adapter: WebGPU through Dawn on \S+ \S+, .*\(software\)/);
  expect(output.match(/loss vs cpu max relative difference \S+ \(ok\); resume after 1 of 2 steps: bit-identical; [\d.]+ steps\/s/g)).toHaveLength(2);

  const results = JSON.parse(await readFile(join(work, 'out', 'results.json'), 'utf8')) as { models: { key: string; lossOk: boolean; resumeOk: boolean; stepsPerSecond: number }[]; checkpoint: { path: string; tensor: string } };
  expect(results.models.map((m) => [m.key, m.lossOk, m.resumeOk])).toEqual([['mlp', true, true], ['resnet', true, true]]);
  expect(results.models.every((m) => m.stepsPerSecond > 0)).toBe(true);
  // The checkpoint Python's safetensors reader is pointed at is a valid Cairn file holding the named tensor.
  const file = await readCheckpointFile(results.checkpoint.path);
  expect(file.tensors.has(results.checkpoint.tensor)).toBe(true);

  // The Python half ran: each part either checked or said why it skipped.
  expect(output).toMatch(/gpu-check \(python\): (Lightning comparison skipped: .+|model \| batch \| Cairn steps\/s)/);
  expect(output).toMatch(/gpu-check \(python\): (safetensors check skipped: .+|safetensors opened .* \(ok\))/);
  expect(output).toMatch(/gpu-check \(python\): (TensorBoard check skipped: .+|TensorBoard read .*ok\))/);
}, 900_000);
