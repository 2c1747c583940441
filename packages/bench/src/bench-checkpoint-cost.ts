import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ModelCheckpoint, Trainer, selectBackend } from '@cairn/core';
import { BoundaryTimer } from './boundary-timer.js';
import { megabytes } from './big-state.js';
import { repsFor, type BenchContext } from './context.js';
import { disposeSplit, loaderOf, syntheticSplit, type Split } from './data.js';
import { median } from './measure.js';
import { ClassifierModule, adamStateBytes, denseStack } from './models.js';
import { payload, timedRawWrite } from './raw-io.js';
import type { BenchOutput } from './result.js';
import { benchTrainerOptions } from './trainer-options.js';

const EVERY = 50;
const BATCH = 8;

interface RunTiming {
  /** Training steps per second, first batch start to last batch end (the final drain excluded). */
  stepsPerSecond: number;
  /** Wall time from a batch's end to the next batch's start, keyed by the global step just finished. */
  gaps: Map<number, number>;
}

/** One fit of `steps` steps, timing every step boundary; `saveDir` set: ModelCheckpoint saves there every EVERY steps. */
async function timedFit(widths: readonly number[], train: Split, steps: number, saveDir: string | undefined): Promise<RunTiming> {
  const timer = new BoundaryTimer();
  const callbacks = saveDir === undefined ? [timer] : [timer, new ModelCheckpoint({ dirpath: saveDir, everyNTrainSteps: EVERY, saveTopK: -1 })];
  const trainer = new Trainer(benchTrainerOptions('wasm', { maxSteps: steps, callbacks }));
  const module = new ClassifierModule(denseStack(widths));
  try {
    await trainer.fit(module, loaderOf(train, BATCH));
  } finally {
    module.net.dispose();
    trainer.optimizer?.dispose();
  }
  // From the first step's start to the last step's end: the final drain of fit is not training time.
  return { stepsPerSecond: steps / ((timer.lastEnd - timer.firstStart) / 1000), gaps: timer.gaps };
}

/**
 * 4. What checkpointing costs training: steps/s with a save every 50 steps against none (runs
 * alternate), and the stall per save: the step boundary where the snapshot is taken, minus a
 * normal boundary, against one raw durable write of the same bytes.
 */
export async function benchCheckpointCost(ctx: BenchContext): Promise<BenchOutput> {
  await selectBackend('wasm');
  // About 100 MB of checkpoint state (weights + Adam m and v); quick mode: about 12 MB.
  const widths = ctx.quick ? [512, 1024, 512] : [1024, 2048, 2048, 1024];
  const steps = ctx.quick ? EVERY + 10 : 2 * EVERY + 20;
  const probe = denseStack(widths);
  const stateBytes = adamStateBytes(probe.countParams());
  probe.dispose();
  const train = syntheticSplit(steps * BATCH, [widths[0]!], widths[widths.length - 1]!);
  const raw = payload(stateBytes);
  const { reps } = repsFor(ctx, 3);
  ctx.say(`checkpointing cost: ${megabytes(stateBytes)} state, ${steps} steps, ${reps} pairs`);
  const ratios: number[] = [];
  const withSaves: number[] = [];
  const without: number[] = [];
  const saveGaps: number[] = [];
  const plainGaps: number[] = [];
  const rawWrites: number[] = [];
  try {
    for (let i = 0; i < reps; i++) {
      const dir = join(ctx.dir, `cost-${i}`);
      await mkdir(dir, { recursive: true });
      // Alternate which run goes first, as measure.alternate does.
      const runs = i % 2 === 0 ? [dir, undefined] : [undefined, dir];
      const timings: RunTiming[] = [];
      for (const saveDir of runs) timings.push(await timedFit(widths, train, steps, saveDir));
      const [saving, plain] = i % 2 === 0 ? [timings[0]!, timings[1]!] : [timings[1]!, timings[0]!];
      withSaves.push(saving.stepsPerSecond);
      without.push(plain.stepsPerSecond);
      ratios.push(plain.stepsPerSecond / saving.stepsPerSecond);
      for (const [step, ms] of saving.gaps) if (step % EVERY === 0) saveGaps.push(ms);
      plainGaps.push(...plain.gaps.values());
      rawWrites.push(await timedRawWrite(join(ctx.dir, `cost-raw-${i}.bin`), raw));
      await rm(dir, { recursive: true, force: true });
    }
  } finally {
    disposeSplit(train);
    tf.disposeVariables();
  }
  // Mean, not median: a save can block at its own boundary or at the next one (waiting for the
  // previous write), and the loop loses the sum of both.
  const normalMs = median(plainGaps);
  const stallMs = saveGaps.reduce((sum, ms) => sum + (ms - normalMs), 0) / saveGaps.length;
  const rawMs = median(rawWrites) * 1000;
  return {
    rows: [
      {
        group: '4. checkpointing cost',
        what: `steps/s, save every ${EVERY} steps vs none, dense ${widths.join('-')} batch ${BATCH}, Adam, ${megabytes(stateBytes)} state, wasm`,
        cairn: { value: median(withSaves), unit: 'steps/s' },
        baseline: { name: 'same fit without checkpointing', value: median(without), unit: 'steps/s' },
        ratio: median(ratios),
        ratioMeaning: 'time with saves / time without',
        target: { op: '<=', value: 1.01 },
        reps,
      },
      {
        group: '4b. stall per save',
        what: `mean extra time of a step boundary that takes a snapshot, ${megabytes(stateBytes)} state`,
        cairn: { value: stallMs, unit: 'ms' },
        baseline: { name: 'one fs write + fsync + rename of the same bytes', value: rawMs, unit: 'ms' },
        ratio: stallMs / rawMs,
        ratioMeaning: 'stall / raw write time',
        target: { op: '<=', value: 0.05 },
        reps: saveGaps.length,
        note: `normal boundary ${normalMs.toFixed(2)} ms; boundaries with a save: ${saveGaps.map((ms) => ms.toFixed(1)).join(', ')} ms`,
      },
    ],
    notes: [],
  };
}
