import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readdir, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it, onTestFinished } from 'vitest';
import { linkReadmePackages, readmeExampleScript } from '../../test-helpers/readme-example.js';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const CHECKPOINTS = join('runs', 'lightning_logs', 'version_0', 'checkpoints');

/** A fresh folder holding the README example (main.mjs) and its resume variant (resume.mjs). */
async function exampleFolder(): Promise<string> {
  const dir = await realpath(await mkdtemp(join(tmpdir(), 'cairn-readme-')));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  await linkReadmePackages(dir, PACKAGE_DIR);
  await writeFile(join(dir, 'main.mjs'), readmeExampleScript({ resume: false }));
  await writeFile(join(dir, 'resume.mjs'), readmeExampleScript({ resume: true }));
  return dir;
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Runs a script of `dir` there; with `killAtFirstCheckpoint`, SIGKILLs it as soon as a checkpoint file exists. */
function runScript(dir: string, script: string, killAtFirstCheckpoint = false): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    // A checkpoint's final name appears only once it is complete (temp file, then rename).
    const poll = killAtFirstCheckpoint
      ? setInterval(() => {
          const folder = join(dir, CHECKPOINTS);
          if (existsSync(folder) && readdirSync(folder).some((name) => name.endsWith('.ckpt'))) child.kill('SIGKILL');
        }, 5)
      : undefined;
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearInterval(poll);
      resolve({ code, signal, stderr });
    });
  });
}

it("the README example with its CSVLogger, SIGKILLed after its first checkpoint, resumes with ckptPath 'last' in the same version to the same end", async () => {
  const reference = await exampleFolder();
  const uninterrupted = await runScript(reference, 'main.mjs');
  expect(uninterrupted.code, uninterrupted.stderr).toBe(0);

  const dir = await exampleFolder();
  const killed = await runScript(dir, 'main.mjs', true);
  expect(killed.signal, `the first run ended before it could be killed:\n${killed.stderr}`).toBe('SIGKILL');
  expect(existsSync(join(dir, 'final.json'))).toBe(false);

  const resumed = await runScript(dir, 'resume.mjs');
  expect(resumed.code, resumed.stderr).toBe(0);
  // It continued after a saved epoch instead of training from the start.
  expect(resumed.stderr).not.toMatch(/^Epoch 1\//m);

  // One version folder: the logger continued the run it found, and its metrics.csv has every row once.
  expect(await readdir(join(dir, 'runs', 'lightning_logs'))).toEqual(['version_0']);
  const metrics = (root: string): Promise<string> => readFile(join(root, 'runs', 'lightning_logs', 'version_0', 'metrics.csv'), 'utf8');
  expect(await metrics(dir)).toBe(await metrics(reference));
  // Same epochs, steps and final weights, bit for bit.
  expect(await readFile(join(dir, 'final.json'), 'utf8')).toBe(await readFile(join(reference, 'final.json'), 'utf8'));
}, 120_000);
