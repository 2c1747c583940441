import { access, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LoopView } from '../../src/checkpoint/loop-view.js';
import { CheckpointIO } from '../../src/checkpoint/checkpoint-io.js';
import { Callback, readCheckpointMetadata, resetRandom, Trainer } from '../../src/index.js';
import { CrashAfterStep } from '../helpers/run-recorder.js';
import { settlesWithin } from '../helpers/settles-within.js';
import { loaders, quiet, TinyRegressor } from '../helpers/tiny-module.js';

afterEach(() => resetRandom());

const tmp = (): Promise<string> => mkdtemp(join(tmpdir(), 'cairn-late-'));
// A fit of TinyRegressor takes well under a second; far longer means a save is waiting forever.
const LIMIT_MS = 20_000;

type LateHook = 'onFitEnd' | 'teardown';

/** Saves from `hook`, awaiting the promise as a user would, and keeps what it settled with. */
class SaveFrom extends Callback {
  outcome: { path: string } | { error: unknown } | undefined;
  constructor(private readonly hook: LateHook, private readonly path: string) {
    super();
  }
  override async onFitEnd(trainer: Trainer): Promise<void> {
    if (this.hook === 'onFitEnd') await this.save(trainer);
  }
  override async teardown(trainer: Trainer): Promise<void> {
    if (this.hook === 'teardown') await this.save(trainer);
  }
  private async save(trainer: Trainer): Promise<void> {
    try {
      this.outcome = { path: await trainer.saveCheckpoint(this.path) };
    } catch (error) {
      this.outcome = { error };
    }
  }
}

/** A module that requests a save from `hook` and does not wait for it. */
function moduleSavingFrom(hook: LateHook, path: string): TinyRegressor {
  class Saving extends TinyRegressor {
    override onFitEnd(): void {
      if (hook === 'onFitEnd') void this.trainer!.saveCheckpoint(path);
    }
    override teardown(): void {
      if (hook === 'teardown') void this.trainer!.saveCheckpoint(path);
    }
  }
  return new Saving();
}

const trainer = (callbacks: Callback[] = []): Trainer => new Trainer({ ...quiet, accelerator: 'cpu', seed: 1, maxEpochs: 1, callbacks });

describe('saveCheckpoint after the loop (onFitEnd, teardown)', () => {
  for (const hook of ['onFitEnd', 'teardown'] as const) {
    it(`a callback awaiting saveCheckpoint in ${hook} gets a durable checkpoint of the final state`, async () => {
      const path = join(await tmp(), `${hook}.ckpt`);
      const saver = new SaveFrom(hook, path);
      const t = trainer([saver]);
      const result = await settlesWithin(t.fit(new TinyRegressor(), loaders().train), LIMIT_MS, `fit with a save awaited in ${hook}`);
      expect(saver.outcome).toEqual({ path });
      const metadata = await readCheckpointMetadata(path);
      expect(metadata['cairn.global_step']).toBe(String(result.globalStep));
      expect(metadata['cairn.epoch']).toBe('1');
      expect(t.checkpointingFiles).toContain(path);
      // onFitEnd runs before the result is built, so its file is listed there too.
      if (hook === 'onFitEnd') expect(result.checkpointingFiles).toEqual([path]);
    });

    it(`a module requesting a save in ${hook} without awaiting it: fit resolves once the file is durable`, async () => {
      const path = join(await tmp(), `${hook}.ckpt`);
      const t = trainer();
      await settlesWithin(t.fit(moduleSavingFrom(hook, path), loaders().train), LIMIT_MS, `fit with a save requested in ${hook}`);
      // No waiting here: fit itself must not resolve before the write is done.
      await expect(access(path)).resolves.toBeUndefined();
      expect((await readCheckpointMetadata(path))['cairn.global_step']).toBe(String(t.globalStep));
    });
  }

  it('teardown of a failed fit still writes the checkpoint it requests, and fit rejects with the original error', async () => {
    const path = join(await tmp(), 'teardown.ckpt');
    const saver = new SaveFrom('teardown', path);
    const t = trainer([new CrashAfterStep(3), saver]);
    await expect(settlesWithin(t.fit(new TinyRegressor(), loaders().train), LIMIT_MS, 'failed fit')).rejects.toThrow('simulated crash');
    expect(saver.outcome).toEqual({ path });
    expect((await readCheckpointMetadata(path))['cairn.global_step']).toBe('3');
  });

  it('a failed write requested in teardown rejects the hook\'s promise and is reported, fit still resolves', async () => {
    const dir = await tmp();
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dir, 'blocker'), 'a file where a folder should be');
    const saver = new SaveFrom('teardown', join(dir, 'blocker', 'x.ckpt'));
    const lines: string[] = [];
    const t = new Trainer({ ...quiet, print: (line) => lines.push(line), accelerator: 'cpu', maxEpochs: 1, callbacks: [saver] });
    await settlesWithin(t.fit(new TinyRegressor(), loaders().train), LIMIT_MS, 'fit with a failing teardown save');
    expect(saver.outcome).toMatchObject({ error: expect.objectContaining({ message: expect.stringMatching(/checkpoint save to .*x\.ckpt failed/) }) });
    expect(lines.some((line) => line.includes('requested in teardown failed'))).toBe(true);
  });
});

describe('CheckpointIO.reset', () => {
  it('rejects a request that was never captured instead of dropping it silently', async () => {
    // The smallest loop view a queued request needs: inside fit's loop, with a module.
    const loop = { inFitLoop: true, module: new TinyRegressor(), checkpointCallbacks: [] } as unknown as LoopView;
    const io = new CheckpointIO(loop, () => undefined);
    const pending = io.request(join(tmpdir(), 'never.ckpt'), {});
    io.reset();
    await expect(settlesWithin(pending, 1_000, 'a request pending at reset')).rejects.toThrow(/never captured .* dropped/);
  });
});
