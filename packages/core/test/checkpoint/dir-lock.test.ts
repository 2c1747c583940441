import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Callback, Trainer } from '../../src/index.js';
import { DirLock } from '../../src/checkpoint/dir-lock.js';
import { CheckpointFolder } from '../helpers/run-recorder.js';
import { loaders, quiet, TinyRegressor } from '../helpers/tiny-module.js';


describe('checkpoint folder lock', () => {
  it('refuses a second trainer on a folder another running trainer uses, naming the owner', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-lock-'));
    let second: Promise<unknown> | undefined;
    class StartRival extends Callback {
      // Awaited here, so the rival's claim comes while the first trainer surely holds the folder.
      override async onTrainStart(): Promise<void> {
        const rival = new Trainer({ ...quiet, enableCheckpointing: true, accelerator: 'cpu', maxEpochs: 1, callbacks: [new CheckpointFolder(dir)] });
        second = rival.fit(new TinyRegressor(), loaders().train);
        await second.catch(() => undefined);
      }
    }
    const first = new Trainer({ ...quiet, enableCheckpointing: true, accelerator: 'cpu', maxEpochs: 1, callbacks: [new CheckpointFolder(dir), new StartRival()] });
    await first.fit(new TinyRegressor(), loaders().train);
    await expect(second).rejects.toThrow(new RegExp(`checkpoint folder ${dir} is in use by another trainer \\(pid ${process.pid}`));
    // Released at the end: the folder is usable again and holds no lock file.
    expect(await readdir(dir)).toEqual([]);
    await new Trainer({ ...quiet, enableCheckpointing: true, accelerator: 'cpu', maxEpochs: 1, callbacks: [new CheckpointFolder(dir)] }).fit(new TinyRegressor(), loaders().train);
  });

  it('takes over a lock left by a process that no longer exists', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-lock-'));
    await writeFile(join(dir, '.cairn.lock'), JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), token: 'dead', since: 'then' }));
    const lock = await DirLock.acquire(dir, 'mine');
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
  });
});
