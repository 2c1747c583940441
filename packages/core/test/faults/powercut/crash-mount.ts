import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Debian's interpreter: python3-pyfuse3 is installed for it, not for any other python3 on PATH. */
const PYTHON = '/usr/bin/python3';
const SCRIPT = join(import.meta.dirname, 'crashfs.py');

/**
 * One mounted crashfs (crashfs.py): a FUSE passthrough over `backing` at `mountPoint` that keeps
 * a model of what survives a power cut. Commands go over the script's stdin, one reply a line.
 */
export class CrashMount {
  private readonly replies: string[] = [];
  private waiting: ((line: string) => void) | undefined;
  private stderr = '';

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    readonly mountPoint: string,
  ) {
    let pending = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) this.deliver(line);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
  }

  static async mount(backing: string, mountPoint: string): Promise<CrashMount> {
    const child = spawn(PYTHON, [SCRIPT, backing, mountPoint], { stdio: ['pipe', 'pipe', 'pipe'] });
    const mount = new CrashMount(child, mountPoint);
    const exited = new Promise<string>((resolve) => child.once('exit', (code) => resolve(`crashfs exited with ${code}: ${mount.stderr.trim()}`)));
    const first = await Promise.race([mount.next(), exited.then((why) => Promise.reject(new Error(why)))]);
    if (first !== 'mounted') throw new Error(`crashfs did not mount: ${first} ${mount.stderr}`);
    return mount;
  }

  private deliver(line: string): void {
    if (this.waiting !== undefined) {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve(line);
    } else {
      this.replies.push(line);
    }
  }

  private next(): Promise<string> {
    const queued = this.replies.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve) => (this.waiting = resolve));
  }

  async command(line: string): Promise<string> {
    this.child.stdin.write(`${line}\n`);
    const reply = await this.next();
    if (reply.startsWith('error')) throw new Error(`crashfs '${line}': ${reply} ${this.stderr}`);
    return reply;
  }

  /** Freezes before the n-th change or fsync (0-based). */
  async crashAt(op: number): Promise<void> {
    await this.command(`crash-at ${op}`);
  }

  /** Freezes now; returns how many changes and fsyncs had been done. */
  async crash(): Promise<number> {
    return Number((await this.command('crash')).split(' ')[1]);
  }

  async status(): Promise<{ ops: number; frozen: boolean; pending: number }> {
    const [, ops, frozen, pending] = (await this.command('status')).split(' ');
    return { ops: Number(ops), frozen: frozen === '1', pending: Number(pending) };
  }

  /** The kind of every change and fsync so far ('mkdir', 'create', 'write', 'fsync', 'rename', ...). */
  async trace(file: string): Promise<void> {
    await this.command(`trace ${file}`);
  }

  /** Writes crash states into `dir`/state-N (state-0: durable only); returns their folders. */
  async states(dir: string, prefixes: number): Promise<{ folders: string[]; pending: number }> {
    const [, count, pending] = (await this.command(`states ${dir} ${prefixes}`)).split(' ');
    return { folders: Array.from({ length: Number(count) }, (_, i) => join(dir, `state-${i}`)), pending: Number(pending) };
  }

  async unmount(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin.end('quit\n');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    // A handle the test still holds keeps a clean unmount from happening: detach it.
    if (isMounted(this.mountPoint)) execFileSync('umount', ['-l', this.mountPoint], { stdio: 'ignore' });
  }
}

function isMounted(path: string): boolean {
  return readFileSync('/proc/self/mounts', 'utf8').split('\n').some((line) => line.split(' ')[1] === path);
}

/** Why crashfs cannot run here (no /dev/fuse, no fuse3, no pyfuse3), or undefined. */
export function crashFsUnavailable(): string | undefined {
  if (!existsSync('/dev/fuse')) return '/dev/fuse is missing (a container needs --device /dev/fuse and CAP_SYS_ADMIN)';
  if (!existsSync(PYTHON)) return `${PYTHON} is missing`;
  try {
    execFileSync(PYTHON, ['-c', 'import pyfuse3, trio'], { stdio: 'pipe' });
  } catch {
    return 'python3-pyfuse3 is not installed (scripts/install-fuse.sh installs it)';
  }
  return undefined;
}
