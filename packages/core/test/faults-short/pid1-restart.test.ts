import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTrainingChild } from '../faults/lib/child.js';

/**
 * A container whose trainer is pid 1 restarts as pid 1: the lock the killed run left names a
 * pid that is alive again (the new trainer itself). A new pid namespace reproduces that here:
 * every run of the fixture is pid 1 in its own namespace, on the same machine and boot.
 */
const PID1 = ['unshare', '--pid', '--fork', '--mount-proc', '--kill-child=SIGKILL', '--'];

function pid1Unavailable(): string | undefined {
  try {
    const pid = execFileSync(PID1[0]!, [...PID1.slice(1), 'sh', '-c', 'echo $$'], { encoding: 'utf8' }).trim();
    return pid === '1' ? undefined : `unshare ran the command as pid ${pid}, not 1`;
  } catch (error) {
    return `cannot start a process as pid 1 in a new pid namespace (needs CAP_SYS_ADMIN and util-linux unshare): ${String(error).split('\n')[0]}`;
  }
}

describe('pid-1 restart after a crash', () => {
  it('the restarted pid-1 trainer takes over the lock its killed predecessor left and resumes to the end, no manual step', async ({ skip }) => {
    const unavailable = pid1Unavailable();
    if (unavailable !== undefined) {
      if (process.env.CI === 'true') throw new Error(unavailable);
      skip(unavailable);
    }
    const dir = await mkdtemp(join(tmpdir(), 'cairn-pid1-'));
    const killed = await runTrainingChild(dir, { prefix: PID1, killAtStep: 5 });
    expect(killed.killed).toBe(true);
    const left = JSON.parse(await readFile(join(dir, '.cairn.lock'), 'utf8')) as { pid: number };
    expect(left.pid).toBe(1);

    const restarted = await runTrainingChild(dir, { prefix: PID1 });
    expect(restarted.failed).toBeUndefined();
    expect(restarted.ready?.from).toMatch(/\.ckpt$/u);
    expect(restarted.ready!.step).toBeGreaterThan(0);
    expect(restarted.done).toBe(true);
  }, 240_000);
});
