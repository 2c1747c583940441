import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The BUILT binary, as `npx cairn` runs it (the package's test script builds it first). */
export const BIN = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));
export const FIXTURE = fileURLToPath(new URL('../fixtures/tiny-run.ts', import.meta.url));

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `cairn ...args` in a child process. */
export function cairn(args: readonly string[], cwd = process.cwd()): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

export const tempDir = (): Promise<string> => mkdtemp(join(tmpdir(), 'cairn-cli-'));

/** A run config for the tiny fixture, written to `dir/run.yaml`; checkpoints go to `dir/ckpts`. */
export async function writeRunConfig(dir: string, extra = ''): Promise<string> {
  const path = join(dir, 'run.yaml');
  await writeFile(path, `model:
  classPath: ${FIXTURE}#TinyModule
  initArgs: { hidden: 4, lr: 0.05 }
data:
  classPath: ${FIXTURE}#TinyData
  initArgs: { batchSize: 8 }
trainer:
  maxEpochs: 3
  accelerator: cpu
  seed: 7
  enableProgressBar: false
  defaultRootDir: ${dir}
  callbacks:
    - classPath: ModelCheckpoint
      initArgs: { dirpath: ${join(dir, 'ckpts')}, monitor: val_loss, saveTopK: -1, saveLast: true, filename: '{epoch}' }
  logger:
    - classPath: CSVLogger
      initArgs: { saveDir: ${join(dir, 'logs')} }
${extra}`);
  return path;
}
