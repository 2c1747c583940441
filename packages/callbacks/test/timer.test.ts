import { mkdtemp, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { loadCheckpoint, ModelCheckpoint, resetRandom, type Callback } from '@cairn/core';
import { LambdaCallback } from '../src/lambda-callback.js';
import { formatDuration } from '../src/timer/format-duration.js';
import { Timer, type TimerOptions } from '../src/timer/timer.js';
import { loaders, testTrainer, TinyRegressor } from './helpers/tiny-module.js';

afterEach(() => resetRandom());

describe('Timer durations', () => {
  // The grammar itself is tested in @cairn/core (test/options/duration.test.ts); here: Timer uses it.
  it.each<[TimerOptions['maxTime'], number]>([
    ['00:12:00:00', 12 * 3_600_000],
    ['1:02:03:04', 86_400_000 + 2 * 3_600_000 + 3 * 60_000 + 4_000],
    [' 00:00:00:30 ', 30_000],
    ['1h30m', 5_400_000],
    [{ hours: 2 }, 7_200_000],
    [1500, 1500],
    [0, 0],
  ])('maxTime %j is %i ms', (input, ms) => {
    expect(new Timer({ maxTime: input }).maxTime).toBe(ms);
  });

  it.each<unknown>(['12:00:00', '00:1:00:00', 'tomorrow', -1, Number.NaN, { weeks: 1 }, { hours: -3 }, null])('rejects %j', (input) => {
    expect(() => new Timer({ maxTime: input as number })).toThrow(/Timer: maxTime/);
  });

  it("prints elapsed time as Python's timedelta", () => {
    expect(formatDuration(3_723_400)).toBe('1:02:03');
    expect(formatDuration(90_000_000)).toBe('1 day, 1:00:00');
    expect(formatDuration(2 * 86_400_000)).toBe('2 days, 0:00:00');
  });

  it('rejects a bad interval', () => {
    expect(() => new Timer({ interval: 'batch' as 'step' })).toThrow(/interval/);
  });
});

describe('Timer in a real fit (fake clock: every training step takes 1 s)', () => {
  const setup = (options: TimerOptions, extra: Callback[] = []) => {
    const clock = { t: 0 };
    const lines: string[] = [];
    const tick = new LambdaCallback({ onTrainBatchEnd: () => void (clock.t += 1000) });
    const timer = new Timer({ ...options, now: () => clock.t, print: (l) => lines.push(l) });
    return { timer, lines, callbacks: [tick, timer, ...extra] };
  };

  it("interval 'step' stops after the step that used up maxTime", async () => {
    const { timer, lines, callbacks } = setup({ maxTime: 5500 });
    const { train, val } = loaders();
    const result = await testTrainer({ maxEpochs: 10, callbacks }).fit(new TinyRegressor(), train, val);
    expect(result.stopReason).toBe('shouldStop');
    expect(result.globalStep).toBe(6);
    expect(timer.timeElapsed()).toBe(6000);
    expect(timer.timeRemaining()).toBe(-500);
    expect(timer.startTime()).toBe(0);
    expect(timer.endTime()).toBe(6000);
    expect(timer.timeElapsed('validate')).toBe(0); // validation steps do not tick the fake clock
    expect(lines).toEqual(['Time limit reached. Elapsed time is 0:00:06. Signaling Trainer to stop.']);
  });

  it("interval 'epoch' stops at the first epoch end past maxTime", async () => {
    const { callbacks } = setup({ maxTime: { seconds: 5.5 }, interval: 'epoch' });
    const { train, val } = loaders();
    const result = await testTrainer({ maxEpochs: 10, callbacks }).fit(new TinyRegressor(), train, val);
    expect(result.globalStep).toBe(10);
    expect(result.epochs).toBe(2);
  });

  it('without maxTime it only measures', async () => {
    const { timer, callbacks } = setup({});
    const { train, val } = loaders();
    const result = await testTrainer({ maxEpochs: 2, callbacks }).fit(new TinyRegressor(), train, val);
    expect(result.stopReason).toBe('maxEpochs');
    expect(timer.timeElapsed()).toBe(10_000);
    expect(timer.timeRemaining()).toBeUndefined();
  });

  it('leaves a checkpoint when it stops, and elapsed time accumulates over a resume', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'cairn-timer-')), 'last.ckpt');
    // The loop closes the epoch it stops in, so an epoch-end checkpoint (as ModelCheckpoint's) is written.
    const saveAtEpochEnd = () => new LambdaCallback({ onTrainEpochEnd: (trainer) => void trainer.saveCheckpoint(path) });
    const first = setup({ maxTime: 7500 }, [saveAtEpochEnd()]);
    const data = loaders();
    expect((await testTrainer({ maxEpochs: 10, callbacks: first.callbacks }).fit(new TinyRegressor(), data.train, data.val)).globalStep).toBe(8);
    expect(existsSync(path)).toBe(true);

    // Out of time already: the resumed run stops before training a step.
    const again = setup({ maxTime: 7500 });
    const d2 = loaders();
    const stopped = await testTrainer({ maxEpochs: 10, callbacks: again.callbacks }).fit(new TinyRegressor(), d2.train, d2.val, { ckptPath: path });
    expect(stopped.globalStep).toBe(8);
    expect(again.timer.timeElapsed()).toBe(8000);

    // More time: it goes on from 8 s and stops once 12.5 s are used in all.
    const more = setup({ maxTime: 12_500 });
    const d3 = loaders();
    const resumed = await testTrainer({ maxEpochs: 10, callbacks: more.callbacks }).fit(new TinyRegressor(), d3.train, d3.val, { ckptPath: path });
    expect(resumed.globalStep).toBe(13);
    expect(more.timer.timeElapsed()).toBe(13_000);
  });

  it('with a real ModelCheckpoint: stops cleanly at maxTime, and the checkpoint of the stopping point resumes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-timer-ckpt-'));
    // 5 steps per epoch: maxTime 7.5 s runs out after step 8, inside the second epoch, which the loop closes.
    const first = setup({ maxTime: 7500 }, [new ModelCheckpoint({ dirpath: dir, saveLast: true })]);
    const data = loaders();
    const trainer = testTrainer({ maxEpochs: 10, callbacks: first.callbacks });
    const stopped = await trainer.fit(new TinyRegressor(), data.train, data.val);
    expect(stopped).toMatchObject({ stopReason: 'shouldStop', globalStep: 8, epochs: 2 });
    expect(first.lines).toHaveLength(1);
    expect(trainer.stage).toBeUndefined();
    // Only finished files: no temp file or lock left behind by the stop.
    expect((await readdir(dir)).sort()).toEqual(['epoch=1-step=8.ckpt', 'last.ckpt']);
    const state = await loadCheckpoint(stopped.lastModelPath);
    tf.dispose([...state.weights.values(), ...(state.optimizer?.weights ?? [])]);
    expect(state.globalStep).toBe(8);
    expect(state.callbacks.Timer).toEqual({ timeElapsed: { train: 8000, validate: 0 }, stopped: true });

    // More time: ckptPath 'last' finds it, training goes on from step 9 and stops once 12.5 s are used in all.
    const steps: number[] = [];
    const more = setup({ maxTime: 12_500 }, [
      new ModelCheckpoint({ dirpath: dir, saveLast: true }),
      new LambdaCallback({ onTrainBatchStart: (t) => void steps.push(t.globalStep + 1) }),
    ]);
    const d2 = loaders();
    const resumedTrainer = testTrainer({ maxEpochs: 10, callbacks: more.callbacks });
    const resumed = await resumedTrainer.fit(new TinyRegressor(), d2.train, d2.val, { ckptPath: 'last' });
    expect([stopped.lastModelPath, stopped.bestModelPath]).toContain(resumedTrainer.ckptPath);
    expect(steps).toEqual([9, 10, 11, 12, 13]);
    expect(resumed).toMatchObject({ stopReason: 'shouldStop', globalStep: 13 });
    expect(more.timer.timeElapsed()).toBe(13_000);
  });
});
