import { describe, expect, it } from 'vitest';
import { Callback, Trainer, type TrainerOptions } from '../../src/index.js';
import { loaders, quiet, TinyRegressor } from '../helpers/tiny-module.js';

/** Counts what the loop did: train batches per epoch, validation runs (and their batches), sanity batches. */
class Counter extends Callback {
  trainBatches: number[] = [];
  valRuns: { epoch: number; step: number; batches: number }[] = [];
  sanityBatches = 0;
  private batches = 0;
  override onTrainEpochStart(): void { this.trainBatches.push(0); }
  override onTrainBatchEnd(): void { this.trainBatches[this.trainBatches.length - 1]! += 1; }
  override onValidationStart(): void { this.batches = 0; }
  override onValidationBatchEnd(trainer: Trainer): void {
    if (trainer.sanityChecking) this.sanityBatches += 1;
    else this.batches += 1;
  }
  override onValidationEnd(trainer: Trainer): void {
    if (!trainer.sanityChecking) this.valRuns.push({ epoch: trainer.currentEpoch, step: trainer.globalStep, batches: this.batches });
  }
}

/** 10 train batches of 4, 4 validation batches of 4. */
async function run(options: TrainerOptions): Promise<{ counter: Counter; trainer: Trainer }> {
  const counter = new Counter();
  const { train, val } = loaders(40, 16, 4);
  const trainer = new Trainer({ ...quiet, accelerator: 'cpu', numSanityValSteps: 0, ...options, callbacks: [counter] });
  await trainer.fit(new TinyRegressor(), train, val);
  return { counter, trainer };
}

describe('loop options', () => {
  it('maxEpochs runs whole epochs and validates at each end', async () => {
    const { counter, trainer } = await run({ maxEpochs: 2 });
    expect(counter.trainBatches).toEqual([10, 10]);
    expect(counter.valRuns).toEqual([{ epoch: 0, step: 10, batches: 4 }, { epoch: 1, step: 20, batches: 4 }]);
    expect(trainer.result?.stopReason).toBe('maxEpochs');
    expect(trainer.result?.epochs).toBe(2);
  });

  it('maxSteps stops mid-epoch and wins over maxEpochs', async () => {
    const { counter, trainer } = await run({ maxEpochs: 5, maxSteps: 13 });
    expect(counter.trainBatches).toEqual([10, 3]);
    expect(trainer.globalStep).toBe(13);
    expect(trainer.result?.stopReason).toBe('maxSteps');
  });

  it('limitTrainBatches and limitValBatches take fractions and counts', async () => {
    expect((await run({ maxEpochs: 1, limitTrainBatches: 0.5, limitValBatches: 0.5 })).counter).toMatchObject({ trainBatches: [5], valRuns: [{ batches: 2 }] });
    expect((await run({ maxEpochs: 1, limitTrainBatches: 3, limitValBatches: 2 })).counter).toMatchObject({ trainBatches: [3], valRuns: [{ batches: 2 }] });
    expect((await run({ maxEpochs: 1, limitValBatches: 0 })).counter.valRuns).toEqual([]);
  });

  it('valCheckInterval as a fraction validates within the epoch', async () => {
    const { counter } = await run({ maxEpochs: 1, valCheckInterval: 0.25 });
    // every floor(10 * 0.25) = 2 batches
    expect(counter.valRuns.map((r) => r.step)).toEqual([2, 4, 6, 8, 10]);
  });

  it('valCheckInterval as a count validates every N batches of the epoch', async () => {
    const { counter } = await run({ maxEpochs: 2, valCheckInterval: 4 });
    expect(counter.valRuns.map((r) => r.step)).toEqual([4, 8, 14, 18]);
  });

  it('valCheckInterval count with checkValEveryNEpoch null counts steps across epochs', async () => {
    const { counter } = await run({ maxEpochs: 2, valCheckInterval: 6, checkValEveryNEpoch: null });
    expect(counter.valRuns.map((r) => r.step)).toEqual([6, 12, 18]);
  });

  it('checkValEveryNEpoch skips epochs', async () => {
    const { counter } = await run({ maxEpochs: 4, checkValEveryNEpoch: 2 });
    expect(counter.valRuns.map((r) => r.epoch)).toEqual([1, 3]);
  });

  it('numSanityValSteps runs that many batches before training, -1 all, 0 none', async () => {
    expect((await run({ maxEpochs: 1, numSanityValSteps: 2 })).counter.sanityBatches).toBe(2);
    expect((await run({ maxEpochs: 1, numSanityValSteps: -1 })).counter.sanityBatches).toBe(4);
    expect((await run({ maxEpochs: 1, numSanityValSteps: 0 })).counter.sanityBatches).toBe(0);
  });

  it('sanity-check metrics do not leak into the run', async () => {
    const counter = new Counter();
    let seenAtTrainStart: Record<string, number> = {};
    class Spy extends Callback {
      override onTrainStart(trainer: Trainer): void { seenAtTrainStart = { ...trainer.callbackMetrics }; }
    }
    const { train, val } = loaders(40, 16, 4);
    const trainer = new Trainer({ ...quiet, accelerator: 'cpu', maxEpochs: 1, numSanityValSteps: 2, callbacks: [counter, new Spy()] });
    await trainer.fit(new TinyRegressor(), train, val);
    expect(seenAtTrainStart).toEqual({});
  });

  it('fastDevRun runs N batches of train and validation once, no sanity check', async () => {
    const { counter, trainer } = await run({ maxEpochs: 10, numSanityValSteps: 2, fastDevRun: 2 });
    expect(counter.trainBatches).toEqual([2]);
    expect(counter.valRuns).toEqual([{ epoch: 0, step: 2, batches: 2 }]);
    expect(counter.sanityBatches).toBe(0);
    expect(trainer.options.enableCheckpointing).toBe(false);
    const single = await run({ fastDevRun: true });
    expect(single.counter.trainBatches).toEqual([1]);
  });

  it('shouldStop ends training at the end of the step once minEpochs is met', async () => {
    class StopAtStep3 extends Callback {
      override onTrainBatchEnd(trainer: Trainer): void {
        if (trainer.globalStep === 3) trainer.shouldStop = true;
      }
    }
    const counter = new Counter();
    const { train } = loaders(40, 16, 4);
    const trainer = new Trainer({ ...quiet, accelerator: 'cpu', maxEpochs: 5, callbacks: [counter, new StopAtStep3()] });
    const result = await trainer.fit(new TinyRegressor(), train);
    expect(counter.trainBatches).toEqual([3]);
    expect(result.stopReason).toBe('shouldStop');

    const held = new Counter();
    const lines: string[] = [];
    const withMin = new Trainer({ ...quiet, print: (l) => lines.push(l), accelerator: 'cpu', maxEpochs: 5, minEpochs: 2, callbacks: [held, new StopAtStep3()] });
    await withMin.fit(new TinyRegressor(), loaders(40, 16, 4).train);
    expect(held.trainBatches).toEqual([10, 10, 10, 10, 10]);
    expect(lines.some((l) => l.includes('minEpochs=2'))).toBe(true);
  });
});

describe('option validation', () => {
  const bad: [TrainerOptions, RegExp][] = [
    [{ maxEpochs: -2 }, /'maxEpochs' must be an integer >= -1/],
    [{ maxEpochs: 1.5 }, /'maxEpochs'/],
    [{ maxSteps: -5 }, /'maxSteps'/],
    [{ minEpochs: 3, maxEpochs: 2 }, /'minEpochs' must be at most maxEpochs/],
    [{ limitTrainBatches: -1 }, /'limitTrainBatches' must be a fraction in \(0, 1\] or a non-negative integer count/],
    [{ limitValBatches: 1.5 }, /'limitValBatches'/],
    [{ valCheckInterval: 0 }, /'valCheckInterval'/],
    [{ valCheckInterval: 2.5 }, /'valCheckInterval'/],
    [{ checkValEveryNEpoch: 0 }, /'checkValEveryNEpoch'/],
    [{ checkValEveryNEpoch: null }, /'checkValEveryNEpoch' must be a positive integer unless valCheckInterval is a batch count/],
    [{ numSanityValSteps: -3 }, /'numSanityValSteps'/],
    [{ logEveryNSteps: 0 }, /'logEveryNSteps'/],
    [{ accelerator: 'tpu' as never }, /'accelerator' must be one of 'auto', 'gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'/],
    [{ seed: -1 }, /'seed'/],
    [{ fastDevRun: -1 }, /'fastDevRun'/],
    [{ enableCheckpointing: 'yes' as never }, /'enableCheckpointing' must be a boolean/],
    [{ defaultRootDir: '' }, /'defaultRootDir'/],
    [{ callbacks: {} as never }, /'callbacks'/],
  ];
  it.each(bad)('rejects %j at construction', (options, message) => {
    expect(() => new Trainer(options)).toThrow(message);
  });

  it('rejects two callbacks with the same state key', () => {
    class Same extends Callback {}
    expect(() => new Trainer({ ...quiet, callbacks: [new Same(), new Same()] })).toThrow(/share the state key 'Same'/);
  });
});
