import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '@cairn/core';
import { repsFor, type BenchContext } from './context.js';
import { fitSeconds, type FitWorkload } from './fit-timing.js';
import { alternate } from './measure.js';
import { denseStack, smallConvNet } from './models.js';
import type { BenchOutput, Row } from './result.js';

interface Workload extends FitWorkload {
  name: string;
  /** Steps per run on each backend: cpu is slow, so runs are short but equal on both sides. */
  steps: number;
}

const WORKLOADS: readonly Workload[] = [
  { name: 'MLP 784-256-10, batch 128', build: () => denseStack([784, 256, 10]), inputShape: [784], classes: 10, batch: 128, steps: 12 },
  { name: 'conv net 16x16x1 (conv8-pool-conv16/2-dense3), batch 32', build: () => smallConvNet(16, 3), inputShape: [16, 16, 1], classes: 3, batch: 32, steps: 12 },
];

/**
 * The GPU accelerator to measure: the one asked for (its absence is an error), else webgpu when Dawn finds
 * an adapter. Returns its start-line description (which names the adapter), or undefined.
 */
async function gpuUnderTest(ctx: BenchContext): Promise<{ accelerator: 'webgpu' | 'gpu'; description: string } | undefined> {
  const accelerator = ctx.accelerator ?? 'webgpu';
  try {
    const info = await selectBackend(accelerator, { print: () => {} });
    return { accelerator, description: info.description };
  } catch (error) {
    if (ctx.accelerator !== undefined || (error as Error).name !== 'BackendUnavailableError') throw error;
    ctx.say(`backends: no webgpu rows (${(error as Error).message.split('\n')[0]})`);
    return undefined;
  }
}

/** 5. Training speed on the pure-JavaScript cpu backend against wasm, and on a GPU backend against wasm when there is one (reported, no target). */
export async function benchBackends(ctx: BenchContext): Promise<BenchOutput> {
  const rows: Row[] = [];
  const notes: string[] = [];
  for (const workload of WORKLOADS) {
    const steps = ctx.quick ? 3 : workload.steps;
    const { reps, warmup } = repsFor(ctx, 3);
    ctx.say(`backends, ${workload.name}: ${steps} steps per run, ${reps} pairs`);
    const comparison = await alternate({
      warmup,
      reps,
      a: () => fitSeconds(workload, 'wasm', steps),
      b: () => fitSeconds(workload, 'cpu', steps),
      ratio: (a, b) => b / a,
    });
    rows.push({
      group: '5. backend speed',
      what: `trainer.fit, ${workload.name}, Adam`,
      cairn: { value: steps / comparison.a, unit: 'steps/s (wasm)' },
      baseline: { name: 'cpu backend', value: steps / comparison.b, unit: 'steps/s' },
      ratio: comparison.ratio,
      ratioMeaning: 'wasm speed / cpu speed',
      reps,
    });
  }
  const gpu = await gpuUnderTest(ctx);
  if (gpu !== undefined) {
    notes.push(`Backend rows on ${gpu.accelerator}: ${gpu.description}.`);
    for (const workload of WORKLOADS) {
      const steps = ctx.quick ? 3 : workload.steps;
      const { reps, warmup } = repsFor(ctx, 3);
      ctx.say(`backends, ${workload.name} on ${gpu.accelerator}: ${steps} steps per run, ${reps} pairs`);
      const comparison = await alternate({
        warmup,
        reps,
        a: () => fitSeconds(workload, gpu.accelerator, steps),
        b: () => fitSeconds(workload, 'wasm', steps),
        ratio: (a, b) => b / a,
      });
      rows.push({
        group: '5. backend speed',
        what: `trainer.fit, ${workload.name}, Adam`,
        cairn: { value: steps / comparison.a, unit: `steps/s (${gpu.accelerator})` },
        baseline: { name: 'wasm backend', value: steps / comparison.b, unit: 'steps/s' },
        ratio: comparison.ratio,
        ratioMeaning: `${gpu.accelerator} speed / wasm speed`,
        reps,
        ...(/\(software\)/.test(gpu.description) && { note: 'software adapter: a CPU running Vulkan, not a GPU' }),
      });
    }
  }
  tf.disposeVariables();
  return { rows, notes };
}
