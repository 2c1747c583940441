import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DirLock } from '../../src/checkpoint/dir-lock.js';
import { currentBootId, processStartTime } from '../../src/checkpoint/file/process-identity.js';

/** Locks as another process (or an older incarnation of this one) would have left them. */
async function folderWithLock(owner: Record<string, unknown>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-lock-owner-'));
  await writeFile(join(dir, '.cairn.lock'), JSON.stringify({ host: hostname(), token: 'theirs', since: 'then', bootId: currentBootId(), ...owner }));
  return dir;
}

async function takeOver(dir: string): Promise<string[]> {
  const notices: string[] = [];
  const lock = await DirLock.acquire(dir, 'mine', (line) => notices.push(line));
  const written = JSON.parse(await readFile(join(dir, '.cairn.lock'), 'utf8')) as Record<string, unknown>;
  expect(written).toMatchObject({ pid: process.pid, token: 'mine', bootId: currentBootId(), startTime: processStartTime(process.pid) });
  await lock.release();
  expect(await readdir(dir)).toEqual([]);
  return notices;
}

/** An unrelated live process: its pid is alive for the whole file. */
const sleeper: ChildProcess = spawn('sleep', ['300'], { stdio: 'ignore' });
afterAll(() => {
  sleeper.kill('SIGKILL');
});

describe('folder lock: who owns it', () => {
  it('this machine exposes boot id and start times (the rules below depend on them)', () => {
    expect(currentBootId()).toMatch(/^[0-9a-f-]{36}$/u);
    expect(processStartTime(process.pid)).toMatch(/^\d+$/u);
    expect(processStartTime(sleeper.pid!)).toMatch(/^\d+$/u);
  });

  it('a live unrelated pid whose start time differs from the lock\'s (pid reused) is stale: taken over with a notice', async () => {
    const real = processStartTime(sleeper.pid!)!;
    const dir = await folderWithLock({ pid: sleeper.pid, startTime: String(Number(real) + 1) });
    const notices = await takeOver(dir);
    expect(notices).toEqual([expect.stringContaining(`pid ${sleeper.pid} now belongs to another process`)]);
  });

  it('the same live pid with the same start time is the owner, alive: refused', async () => {
    const dir = await folderWithLock({ pid: sleeper.pid, startTime: processStartTime(sleeper.pid!) });
    await expect(DirLock.acquire(dir, 'mine')).rejects.toThrow(`is in use by another trainer (pid ${sleeper.pid} on ${hostname()}`);
  });

  it('a lock taken before a reboot is stale even if its pid is alive now', async () => {
    const dir = await folderWithLock({ pid: sleeper.pid, startTime: processStartTime(sleeper.pid!), bootId: '00000000-0000-0000-0000-000000000000' });
    expect(await takeOver(dir)).toEqual([expect.stringContaining('taken before a reboot')]);
  });

  it("our own pid with another token (a container's pid 1 after a restart) is stale", async () => {
    const dir = await folderWithLock({ pid: process.pid, startTime: '1' });
    expect(await takeOver(dir)).toEqual([expect.stringContaining(`its pid ${process.pid} is this process's`)]);
  });

  it('our own pid with a token another trainer of this process holds is alive: refused', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-lock-owner-'));
    const first = await DirLock.acquire(dir, 'first');
    await expect(DirLock.acquire(dir, 'second')).rejects.toThrow(`in use by another trainer (pid ${process.pid}`);
    await first.release();
    await (await DirLock.acquire(dir, 'second')).release();
  });

  it('a dead pid is stale; an unreadable lock is stale; an old lock (no boot id, no start time) of a live pid is respected', async () => {
    expect(await takeOver(await folderWithLock({ pid: 2 ** 22 + 12345 }))).toEqual([expect.stringContaining(`process ${2 ** 22 + 12345} is gone`)]);
    const torn = await mkdtemp(join(tmpdir(), 'cairn-lock-owner-'));
    await writeFile(join(torn, '.cairn.lock'), '{"pid": 1');
    expect(await takeOver(torn)).toEqual([expect.stringContaining('unreadable')]);
    const old = await folderWithLock({ pid: sleeper.pid, bootId: undefined });
    await expect(DirLock.acquire(old, 'mine')).rejects.toThrow('in use by another trainer');
  });

  it('a lock of another host is never judged from here: refused', async () => {
    const dir = await folderWithLock({ pid: 2 ** 22 + 12345, host: `not-${hostname()}` });
    await expect(DirLock.acquire(dir, 'mine')).rejects.toThrow('in use by another trainer');
  });
});
