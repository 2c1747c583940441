import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isTempCheckpointName } from '../../src/checkpoint/file/index.js';
import { ModelCheckpoint, resetRandom, Trainer } from '../../src/index.js';
import { fsTrace, resetFsTrace } from '../helpers/fs-trace.js';
import { SaveAtSteps } from '../helpers/run-recorder.js';
import { loaders, quiet, TinyRegressor } from '../helpers/tiny-module.js';

vi.mock('node:fs/promises', async (real) => (await import('../helpers/fs-trace.js')).tracedFs(await real()));

beforeEach(() => resetFsTrace());
afterEach(() => resetRandom());

const tmp = (): Promise<string> => mkdtemp(join(tmpdir(), 'cairn-queue-'));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Checkpoint writes as the disk saw them: one starts when its temp file is created ('wx') and
 * ends when that temp file is renamed over the final name.
 */
function writeEvents(): string[] {
  const events: string[] = [];
  for (const call of fsTrace.calls) {
    if (call.op === 'open' && call.flags === 'wx' && isTempCheckpointName(basename(call.path))) events.push(`start ${basename(call.path).replace(/\.tmp-.*$/u, '').slice(1)}`);
    if (call.op === 'rename' && isTempCheckpointName(basename(call.from))) events.push(`renamed ${basename(call.to)}`);
  }
  return events;
}

/** Writes started and not yet renamed. */
function writesOnDisk(): number {
  return writeEvents().reduce((open, event) => open + (event.startsWith('start') ? 1 : -1), 0);
}

/** Each write's start comes after the previous write's rename: [start a, renamed a, start b, renamed b, ...]. */
function expectOneAtATime(names: string[]): void {
  expect(writeEvents()).toEqual(names.flatMap((name) => [`start ${name}`, `renamed ${name}`]));
}

describe('one checkpoint write in flight', () => {
  it('saves at every step of a fit never overlap, even when each write is slow', async () => {
    const dir = await tmp();
    fsTrace.beforeRename = () => sleep(15);
    const steps = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const trainer = new Trainer({ ...quiet, accelerator: 'cpu', seed: 1, maxEpochs: 2, callbacks: [new SaveAtSteps(new Set(steps), (s) => join(dir, `step-${s}.ckpt`))] });
    await trainer.fit(new TinyRegressor(), loaders().train);
    expectOneAtATime(steps.map((s) => `step-${s}.ckpt`));
  });

  it('saves requested together outside fit are written one after another', async () => {
    const dir = await tmp();
    const trainer = new Trainer({ ...quiet, accelerator: 'cpu', seed: 1, maxEpochs: 1 });
    await trainer.fit(new TinyRegressor(), loaders().train);
    resetFsTrace();
    fsTrace.beforeRename = () => sleep(15);
    const names = ['a.ckpt', 'b.ckpt', 'c.ckpt'];
    const paths = await Promise.all(names.map((name) => trainer.saveCheckpoint(join(dir, name))));
    expect(paths.map((p) => basename(p))).toEqual(names);
    expectOneAtATime(names);
  });
});

describe('training goes on while a write runs', () => {
  /**
   * Runs 50 steps with ModelCheckpoint saving every 25 and records the global steps trained while
   * a write is on disk. The first write is held at its rename until two steps have trained during
   * it (or 1.5 s pass, so a loop that waits for the write cannot hang the test). The loop gives the
   * event loop one turn per step while a write runs, and the write needs a few turns (mkdir, open)
   * to reach the disk: 25 steps between saves leave it ample time before the next save waits.
   */
  async function stepsDuringWrites(async: boolean): Promise<number[]> {
    const dir = await tmp();
    const during: number[] = [];
    let held = false;
    fsTrace.beforeRename = async (_from, to) => {
      if (held || !to.endsWith('.ckpt')) return;
      held = true;
      const deadline = Date.now() + 1_500;
      while (during.length < 2 && Date.now() < deadline) await sleep(2);
    };
    class Recording extends TinyRegressor {
      override trainingStep(batch: Parameters<TinyRegressor['trainingStep']>[0]): ReturnType<TinyRegressor['trainingStep']> {
        if (writesOnDisk() > 0) during.push(this.trainer!.globalStep);
        return super.trainingStep(batch);
      }
    }
    const checkpoint = new ModelCheckpoint({ dirpath: dir, everyNTrainSteps: 25, saveTopK: -1, async });
    const trainer = new Trainer({ ...quiet, enableCheckpointing: true, accelerator: 'cpu', seed: 1, maxSteps: 50, maxEpochs: -1, callbacks: [checkpoint] });
    await trainer.fit(new Recording(), loaders().train);
    // Sanity: the saves happened, so "no steps during writes" below means the loop waited.
    expect(writeEvents().filter((e) => e.startsWith('renamed'))).toHaveLength(2);
    return during;
  }

  it('with the default (async) ModelCheckpoint, steps train while a checkpoint is being written', async () => {
    const during = await stepsDuringWrites(true);
    expect(during.length).toBeGreaterThanOrEqual(2);
    // The held write is the step-25 save: the steps that trained meanwhile come after it and
    // before the step-50 save (which waits for it: one write in flight).
    for (const step of during) expect(step >= 25 && step < 50, `step ${step}`).toBe(true);
  });

  it('with async: false, no step trains while a checkpoint is being written', async () => {
    expect(await stepsDuringWrites(false)).toEqual([]);
  });
});
