import * as tf from '@tensorflow/tfjs';
import { Trainer, selectBackend } from '@cairn/core';
import { repsFor, type BenchContext } from './context.js';
import { batchCount, disposeSplit, loaderOf, syntheticSplit } from './data.js';
import { handWrittenFit } from './hand-loop.js';
import { alternate, seconds } from './measure.js';
import { ClassifierModule, denseStack } from './models.js';
import type { BenchOutput } from './result.js';
import { benchTrainerOptions } from './trainer-options.js';

const WIDTHS = [784, 256, 10];
const BATCH = 128;

/**
 * 1. `trainer.fit` against the same training written by hand in TF.js: same model, data, batches,
 * optimizer, backend (wasm), steps and validation. Both build their model before the clock starts.
 */
export async function benchTrainerOverhead(ctx: BenchContext): Promise<BenchOutput> {
  await selectBackend('wasm');
  const epochs = ctx.quick ? 1 : 3;
  const train = syntheticSplit(ctx.quick ? 1024 : 4096, [WIDTHS[0]!], WIDTHS[WIDTHS.length - 1]!);
  const val = syntheticSplit(ctx.quick ? 256 : 1024, [WIDTHS[0]!], WIDTHS[WIDTHS.length - 1]!);
  const steps = epochs * batchCount(train, BATCH);
  const { reps, warmup } = repsFor(ctx, 7);
  ctx.say(`trainer overhead: ${steps} steps + ${epochs} validations, ${reps} pairs`);
  try {
    const comparison = await alternate({
      warmup,
      reps,
      a: async () => {
        const module = new ClassifierModule(denseStack(WIDTHS));
        const trainer = new Trainer(benchTrainerOptions('wasm', { maxEpochs: epochs }));
        const elapsed = await seconds(() => trainer.fit(module, loaderOf(train, BATCH), loaderOf(val, BATCH)));
        module.net.dispose();
        return elapsed;
      },
      b: async () => {
        const model = denseStack(WIDTHS);
        const elapsed = await seconds(() => handWrittenFit(model, train, val, { epochs, batchSize: BATCH }));
        model.dispose();
        return elapsed;
      },
    });
    return {
      rows: [
        {
          group: '1. trainer overhead',
          what: `fit, MLP ${WIDTHS.join('-')}, batch ${BATCH}, Adam, wasm, ${steps} steps + ${epochs} val passes`,
          cairn: { value: steps / comparison.a, unit: 'steps/s' },
          baseline: { name: 'hand-written tf.variableGrads loop', value: steps / comparison.b, unit: 'steps/s' },
          ratio: comparison.ratio,
          ratioMeaning: 'Cairn time / baseline time',
          target: { op: '<=', value: 1.02 },
          reps,
        },
      ],
      notes: [],
    };
  } finally {
    disposeSplit(train);
    disposeSplit(val);
    tf.disposeVariables();
  }
}
