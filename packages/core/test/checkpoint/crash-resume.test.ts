import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { isTempCheckpointName } from '../../src/checkpoint/file/index.js';

const FIXTURE = join(import.meta.dirname, '../fixtures/crash-train.ts');

interface ChildRun {
  killed: boolean;
  steps: number;
}

/**
 * Runs the training child; if `killAfterMs` is set, SIGKILLs it that long after it reports its
 * first step (so the kill lands in training, often in the middle of a checkpoint write).
 */
function runChild(dir: string, killAfterMs: number | undefined): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, dir, 'cpu'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let steps = 0;
    let armed = false;
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      steps += (chunk.match(/^step /gm) ?? []).length;
      if (!armed && steps > 0 && killAfterMs !== undefined) {
        armed = true;
        setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve({ killed: true, steps });
      else if (code === 0) resolve({ killed: false, steps });
      else reject(new Error(`training child exited with ${code}: ${stderr}`));
    });
  });
}

describe('crash safety', () => {
  it('SIGKILLed at random moments 10 times, resuming from last ends bit-identical to an uninterrupted run', async () => {
    const reference = await mkdtemp(join(tmpdir(), 'cairn-crash-ref-'));
    expect((await runChild(reference, undefined)).killed).toBe(false);
    const expected = await readFile(join(reference, 'final.json'), 'utf8');

    const dir = await mkdtemp(join(tmpdir(), 'cairn-crash-'));
    const random = seedrandom.alea('cairn-crash-test');
    let kills = 0;
    let finished = false;
    for (let attempt = 0; attempt < 40 && !finished; attempt++) {
      const run = await runChild(dir, kills < 10 ? Math.floor(random() * 80) : undefined);
      if (run.killed) kills += 1;
      else finished = true;
      // A crash leaves only checkpoints, temp files that can never pass for one, and the folder lock.
      for (const name of await readdir(dir)) {
        if (!name.endsWith('.ckpt')) expect(isTempCheckpointName(name) || ['final.json', '.cairn.lock'].includes(name), name).toBe(true);
      }
    }
    expect(kills).toBeGreaterThanOrEqual(10);
    expect(finished).toBe(true);
    expect(await readFile(join(dir, 'final.json'), 'utf8')).toBe(expected);
  }, 240_000);
});
