import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The interpreter Debian's python3-torch installs into (`pnpm bench:peers` installs it). */
const PYTHON = '/usr/bin/python3';
const WORKER = fileURLToPath(new URL('./torch-peer.py', import.meta.url));

export interface TorchInfo {
  version: string;
  threads: number;
}

/** True when /usr/bin/python3 can import torch. */
export function torchAvailable(): boolean {
  return spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
}

/**
 * A long-lived PyTorch worker (torch-peer.py): one command at a time, each answered with the
 * seconds the work took inside Python, so start-up and imports stay out of the figures.
 */
export class TorchPeer {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: Interface;
  private readonly replies: AsyncIterator<string>;
  private stderr = '';

  constructor() {
    this.child = spawn(PYTHON, [WORKER], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-2000);
    });
    this.lines = createInterface({ input: this.child.stdout });
    this.replies = this.lines[Symbol.asyncIterator]();
  }

  private async ask(command: Record<string, unknown>): Promise<Record<string, unknown>> {
    this.child.stdin.write(`${JSON.stringify(command)}\n`);
    const next = await this.replies.next();
    if (next.done === true) throw new Error(`the PyTorch worker exited: ${this.stderr}`);
    const reply = JSON.parse(next.value) as Record<string, unknown>;
    if (typeof reply['error'] === 'string') throw new Error(`PyTorch worker: ${reply['error']}`);
    return reply;
  }

  async info(): Promise<TorchInfo> {
    const reply = await this.ask({ cmd: 'info' });
    return { version: String(reply['version']), threads: Number(reply['threads']) };
  }

  /** Seconds for `steps` Adam steps of the named model (built and warmed up on first use). */
  async train(model: 'mlp' | 'conv', steps: number): Promise<number> {
    return Number((await this.ask({ cmd: 'train', model, steps }))['seconds']);
  }

  /** Seconds for torch.save + fsync of `blocks` 1024x1024 parameters and their Adam state. */
  async save(path: string, blocks: number): Promise<number> {
    return Number((await this.ask({ cmd: 'save', path, blocks }))['seconds']);
  }

  /** Seconds to build the module and optimizer, torch.load the file and load both state dicts. */
  async load(path: string, blocks: number): Promise<number> {
    return Number((await this.ask({ cmd: 'load', path, blocks }))['seconds']);
  }

  close(): void {
    this.lines.close();
    this.child.stdin.end();
  }
}
