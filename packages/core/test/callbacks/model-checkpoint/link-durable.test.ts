import { mkdtemp, readFile, readlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { linkAtomically } from '../../../src/callbacks/model-checkpoint/files.js';
import { fsTrace, resetFsTrace, type FsCall } from '../../helpers/fs-trace.js';

vi.mock('node:fs/promises', async (real) => (await import('../../helpers/fs-trace.js')).tracedFs(await real()));

beforeEach(() => resetFsTrace());

const line = (call: FsCall): string => (call.op === 'rename' ? `rename -> ${call.to}` : `${call.op} ${call.path}`);

describe("ModelCheckpoint's last link survives a power cut", () => {
  it('a symlink: renamed over the name, then the folder is fsynced', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-link-'));
    await writeFile(join(dir, 'a.ckpt'), 'A');
    await linkAtomically(join(dir, 'a.ckpt'), join(dir, 'last.ckpt'));
    expect(await readlink(join(dir, 'last.ckpt'))).toBe('a.ckpt');
    const lines = fsTrace.calls.map(line);
    expect(lines.indexOf(`sync ${dir}`)).toBeGreaterThan(lines.indexOf(`rename -> ${join(dir, 'last.ckpt')}`));
  });

  it('a copy (no symlinks here): fsynced before the rename, the folder after it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-link-'));
    await writeFile(join(dir, 'a.ckpt'), 'A');
    fsTrace.beforeSymlink = () => {
      throw Object.assign(new Error('EPERM: symlinks not allowed'), { code: 'EPERM' });
    };
    await linkAtomically(join(dir, 'a.ckpt'), join(dir, 'last.ckpt'));
    expect(await readFile(join(dir, 'last.ckpt'), 'utf8')).toBe('A');
    const lines = fsTrace.calls.map(line);
    const renamed = lines.indexOf(`rename -> ${join(dir, 'last.ckpt')}`);
    const copySynced = lines.findIndex((text) => text.startsWith(`sync ${join(dir, '.last.ckpt.tmp-')}`));
    expect(copySynced).toBeGreaterThanOrEqual(0);
    expect(copySynced).toBeLessThan(renamed);
    expect(lines.indexOf(`sync ${dir}`)).toBeGreaterThan(renamed);
  });
});
