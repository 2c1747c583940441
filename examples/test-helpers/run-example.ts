import { spawn } from 'node:child_process';
import { mkdtemp, realpath } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

/** What one run of an example printed and how it ended. */
export interface ExampleRun {
  /** The fresh folder the example ran in: its relative `runs/` folder is here. */
  cwd: string;
  exitCode: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
}

/**
 * Runs a built example as a user does (`node dist/main.js`), in a fresh temporary folder: the
 * example writes `runs/` relative to the working directory, so every test run starts from
 * version_0 and nothing accumulates in the checkout. Prints the wall time, which the test output
 * keeps as the record of how long the example takes.
 */
export async function runExample(name: string, script: URL, args: string[] = [], env: NodeJS.ProcessEnv = process.env): Promise<ExampleRun> {
  // realpath: the example resolves its paths from process.cwd(), which is the real path (macOS /var -> /private/var).
  const cwd = await realpath(await mkdtemp(join(tmpdir(), `cairn-example-${name}-`)));
  const start = performance.now();
  const child = spawn(process.execPath, [fileURLToPath(script), ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => void (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => void (stderr += chunk));
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  const wallMs = performance.now() - start;
  console.log(`${name} example: ${(wallMs / 1000).toFixed(1)} s wall time, exit code ${String(exitCode)}`);
  return { cwd, exitCode, stdout, stderr, wallMs };
}

/** The capture groups of the first match of `pattern` in `text`; throws, quoting the text, when there is none. */
export function captures(text: string, pattern: RegExp): string[] {
  const match = pattern.exec(text);
  if (match === null) throw new Error(`no line matches ${String(pattern)} in the output:\n${text}`);
  return match.slice(1).map((group) => group ?? '');
}
