import { spawn } from 'node:child_process';
import { join } from 'node:path';

const PACKAGE_ROOT = join(import.meta.dirname, '../../..');
const FIXTURE = join(PACKAGE_ROOT, 'test/fixtures/crash-train.ts');

export type Scenario = 'small' | 'large' | 'topk';

export interface ChildOptions {
  scenario?: Scenario;
  /** SIGKILL the child this many ms after it reports `ready`. */
  killAfterReadyMs?: number;
  /** SIGKILL the child as soon as it reports this global step. */
  killAtStep?: number;
  /** Command words put before `node ...` (a shell that sets `ulimit -f`, `setpriv` ...). */
  prefix?: readonly string[];
  /** Size of the large scenario's frozen ballast. */
  ballastMb?: number;
  /** Called with every stdout line as it arrives (e.g. to break the folder at a given step). */
  onLine?: (line: string) => void;
  /** A child still running after this long is killed and reported as hung. Default 180 s. */
  hangAfterMs?: number;
}

export interface ChildResult {
  killed: boolean;
  hung: boolean;
  code: number | null;
  ready?: { step: number; digest: string; from: string | undefined };
  /** Digest reported after each step, by global step. */
  steps: Map<number, string>;
  failed?: { name?: string; code?: string; message?: string };
  done: boolean;
  stderr: string;
  /** Milliseconds from spawn to exit. */
  wallMs: number;
}

/** Runs test/fixtures/crash-train.ts in `dir` and parses what it reports. */
export function runTrainingChild(dir: string, options: ChildOptions = {}): Promise<ChildResult> {
  const prefix = options.prefix ?? [];
  const argv = [...prefix, process.execPath, '--import', 'tsx', FIXTURE, dir, 'cpu', options.scenario ?? 'small'];
  const env = { ...process.env, CAIRN_BALLAST_MB: String(options.ballastMb ?? 64) };
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd: PACKAGE_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const result: ChildResult = { killed: false, hung: false, code: null, steps: new Map(), done: false, stderr: '', wallMs: 0 };
    const hangTimer = setTimeout(() => {
      result.hung = true;
      child.kill('SIGKILL');
    }, options.hangAfterMs ?? 180_000);
    let pending = '';
    const onLine = (line: string): void => {
      const [word, ...rest] = line.split(' ');
      if (word === 'ready') {
        result.ready = { step: Number(rest[0]), digest: rest[1] ?? '', from: rest[2] === '-' ? undefined : rest[2] };
        if (options.killAfterReadyMs !== undefined) setTimeout(() => child.kill('SIGKILL'), options.killAfterReadyMs);
      } else if (word === 'step') {
        result.steps.set(Number(rest[0]), rest[1] ?? '');
        if (Number(rest[0]) === options.killAtStep) child.kill('SIGKILL');
      } else if (word === 'failed') {
        result.failed = JSON.parse(rest.join(' ')) as ChildResult['failed'];
      } else if (word === 'done') {
        result.done = true;
      }
      options.onLine?.(line);
    };
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (result.stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(hangTimer);
      result.code = code;
      result.killed = signal === 'SIGKILL' && !result.hung;
      result.wallMs = Date.now() - started;
      resolve(result);
    });
  });
}
