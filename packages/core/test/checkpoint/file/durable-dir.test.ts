import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { DirLock } from '../../../src/checkpoint/dir-lock.js';
import { makeDurableDir, writeTextFileAtomically } from '../../../src/checkpoint/file/index.js';
import { ModelCheckpoint, Trainer } from '../../../src/index.js';
import { foldersNotMadeDurable, fsTrace, resetFsTrace } from '../../helpers/fs-trace.js';
import { loaders, quiet, TinyRegressor } from '../../helpers/tiny-module.js';

vi.mock('node:fs/promises', async (real) => (await import('../../helpers/fs-trace.js')).tracedFs(await real()));

beforeEach(() => resetFsTrace());

const syncs = (): string[] => fsTrace.calls.filter((call) => call.op === 'sync').map((call) => (call as { path: string }).path);

describe('durable folders', () => {
  it('creates each missing folder and fsyncs the parent of each, up to the first that existed', async () => {
    const base = await mkdtemp(join(tmpdir(), 'cairn-durable-dir-'));
    const leaf = join(base, 'a', 'b', 'c');
    expect(await makeDurableDir(leaf)).toEqual([join(base, 'a'), join(base, 'a', 'b'), leaf]);
    expect(syncs().sort()).toEqual([base, join(base, 'a'), join(base, 'a', 'b')].sort());
    expect(foldersNotMadeDurable(fsTrace.calls)).toEqual([]);
    expect(await readdir(join(base, 'a', 'b'))).toEqual(['c']);
    // Existing folders cost no fsync.
    resetFsTrace();
    expect(await makeDurableDir(leaf)).toEqual([]);
    expect(syncs()).toEqual([]);
  });

  it('claiming a folder an earlier run created but was killed before syncing makes its whole chain durable', async () => {
    const base = await mkdtemp(join(tmpdir(), 'cairn-durable-dir-'));
    const dir = join(base, 'runs', 'version_0', 'checkpoints');
    // The killed run: mkdir done, the parents' fsyncs never happened.
    await mkdir(dir, { recursive: true });
    resetFsTrace();
    const lock = await DirLock.acquire(dir, 'token-a');
    expect(syncs()).toEqual(expect.arrayContaining([base, join(base, 'runs'), join(base, 'runs', 'version_0')]));
    await lock.release();
  });

  it('names a file standing where a folder should be', async () => {
    const base = await mkdtemp(join(tmpdir(), 'cairn-durable-dir-'));
    await writeFile(join(base, 'file'), 'x');
    await expect(makeDurableDir(join(base, 'file', 'sub'))).rejects.toThrow(`${join(base, 'file')} exists and is not a folder`);
  });

  it('the atomic writer makes a new folder branch durable before the file it reports written', async () => {
    const base = await mkdtemp(join(tmpdir(), 'cairn-durable-dir-'));
    const path = join(base, 'x', 'y', 'best_k_models.yaml');
    await writeTextFileAtomically(path, 'a: 1\n');
    expect(foldersNotMadeDurable(fsTrace.calls)).toEqual([]);
    expect(syncs()).toEqual(expect.arrayContaining([base, join(base, 'x'), join(base, 'x', 'y')]));
  });

  it('a fit that starts without its folders (default <root>/checkpoints and a new dirpath) leaves every folder it made durable', async () => {
    const base = await mkdtemp(join(tmpdir(), 'cairn-durable-dir-'));
    const root = join(base, 'runs', 'exp');
    const dirpath = join(base, 'elsewhere', 'ckpts');
    const trainer = new Trainer({
      ...quiet,
      enableCheckpointing: true,
      accelerator: 'cpu',
      maxEpochs: 2,
      defaultRootDir: root,
      callbacks: [new ModelCheckpoint({ dirpath, monitor: 'train_loss', saveTopK: 2, everyNTrainSteps: 1, saveLast: true })],
    });
    await trainer.fit(new TinyRegressor(), loaders().train);
    // The default ModelCheckpoint: <defaultRootDir>/checkpoints, root missing too.
    const defaultRoot = join(base, 'default', 'root');
    await new Trainer({ ...quiet, enableCheckpointing: true, accelerator: 'cpu', maxEpochs: 1, defaultRootDir: defaultRoot }).fit(new TinyRegressor(), loaders().train);
    expect((await readdir(join(defaultRoot, 'checkpoints'))).some((name) => name.endsWith('.ckpt'))).toBe(true);
    const made = fsTrace.calls.filter((call) => call.op === 'mkdir');
    expect(made.length).toBeGreaterThanOrEqual(2);
    expect(foldersNotMadeDurable(fsTrace.calls)).toEqual([]);
    expect((await readdir(dirpath)).filter((name) => name.endsWith('.ckpt')).length).toBeGreaterThanOrEqual(2);
  });
});
