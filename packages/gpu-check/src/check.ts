/**
 * The Cairn half of the GPU check (bundled into gpu-check.mjs; run.sh runs it, then the Python half).
 * For each model: losses on the GPU against the cpu backend, save + resume against an uninterrupted run,
 * then steps/s. Writes results.json (read by python/lightning_peer.py) and a checkpoint and a TensorBoard
 * event file for Python's own readers.
 *
 *   node gpu-check.mjs --out DIR [--quick] [--allow-software]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { selectBackend, type Accelerator } from '@cairn/core';
import { TensorBoardLogger } from '@cairn/callbacks';
import { modelSpecs, type ModelSpec } from './models.js';
import { dispose, train, weightValues } from './training.js';

const { values: args } = parseArgs({
  options: { out: { type: 'string' }, quick: { type: 'boolean', default: false }, 'allow-software': { type: 'boolean', default: false } },
});
if (args.out === undefined) throw new Error('gpu-check: --out DIR is required');
const out = args.out;
const quick = args.quick;
// 'gpu' refuses software adapters; the dry run on a machine without a GPU asks for any adapter.
const gpu: Accelerator = args['allow-software'] ? 'webgpu' : 'gpu';
const say = (line: string): void => console.log(`gpu-check: ${line}`);

/** Losses may differ in the last bits (other summation order); far more means a wrong kernel. */
const LOSS_TOLERANCE = 1e-3;

interface ModelResult {
  key: ModelSpec['key'];
  name: string;
  batch: number;
  lossSteps: number;
  gpuLosses: number[];
  cpuLosses: number[];
  lossMaxRelativeDifference: number;
  lossOk: boolean;
  resumeSteps: number;
  resumeDifferingValues: number;
  resumeOk: boolean;
  timedSteps: number;
  stepsPerSecond: number;
  secondsPerStep: number;
}

async function checkModel(spec: ModelSpec): Promise<ModelResult> {
  const lossSteps = quick ? 2 : 5;
  say(`${spec.name}, batch ${spec.batch}: ${lossSteps} steps on ${gpu} and on cpu`);
  const onGpu = await train(spec, { accelerator: gpu, steps: lossSteps });
  const onCpu = await train(spec, { accelerator: 'cpu', steps: lossSteps });
  const differences = onGpu.losses.map((l, i) => Math.abs(l - onCpu.losses[i]!) / Math.max(Math.abs(onCpu.losses[i]!), 1e-12));
  const lossMaxRelativeDifference = onGpu.losses.length === onCpu.losses.length && onGpu.losses.length === lossSteps ? Math.max(...differences) : Infinity;
  dispose(onGpu);
  dispose(onCpu);

  // Save after half the steps, resume in a fresh trainer and module: must end bit-identical (deterministic kernels).
  const half = quick ? 1 : 4;
  const samples = 2 * half * spec.batch;
  say(`${spec.name}: ${2 * half} steps uninterrupted, then ${half} + save + resume + ${half}`);
  const whole = await train(spec, { accelerator: gpu, steps: 2 * half, samples });
  const expected = await weightValues(whole.module);
  dispose(whole);
  const ckpt = join(out, `${spec.key}-resume.ckpt`);
  dispose(await train(spec, { accelerator: gpu, steps: half, samples, saveAt: { step: half, path: ckpt } }));
  const resumed = await train(spec, { accelerator: gpu, steps: 2 * half, samples, ckptPath: ckpt });
  const actual = await weightValues(resumed.module);
  dispose(resumed);
  const resumeDifferingValues = actual.reduce((n, values, i) => n + values.filter((v, j) => !Object.is(v, expected[i]![j])).length, 0)
    + (actual.length === expected.length ? 0 : Infinity);

  // Timed: shaders are compiled by now; the MLP run also writes the TensorBoard file and the checkpoint Python reads.
  const timedSteps = quick ? 2 : spec.key === 'mlp' ? 200 : 50;
  say(`${spec.name}: timing ${timedSteps} steps`);
  const logger = spec.key === 'mlp' ? new TensorBoardLogger({ saveDir: join(out, 'tensorboard'), name: 'mlp' }) : undefined;
  const timed = await train(spec, { accelerator: gpu, steps: timedSteps, ...(logger && { logger }) });
  if (spec.key === 'mlp') {
    await timed.trainer.saveCheckpoint(join(out, 'mlp.ckpt'));
    await describeCheckpoint(timed, join(out, 'mlp.ckpt'));
  }
  dispose(timed);
  return {
    key: spec.key,
    name: spec.name,
    batch: spec.batch,
    lossSteps,
    gpuLosses: onGpu.losses,
    cpuLosses: onCpu.losses,
    lossMaxRelativeDifference,
    lossOk: lossMaxRelativeDifference < LOSS_TOLERANCE,
    resumeSteps: 2 * half,
    resumeDifferingValues,
    resumeOk: resumeDifferingValues === 0,
    timedSteps,
    stepsPerSecond: timedSteps / timed.seconds,
    secondsPerStep: timed.seconds / timedSteps,
  };
}

/** What Python's safetensors reader must find in the checkpoint: the first weight's name, first values and sum. */
let checkpointFacts: { path: string; tensor: string; first: number[]; sum: number } | undefined;

async function describeCheckpoint(run: Awaited<ReturnType<typeof train>>, path: string): Promise<void> {
  const [first] = run.module.namedWeights();
  if (first === undefined) throw new Error('gpu-check: the model has no weights');
  const values = Float32Array.from(await first.variable.data());
  checkpointFacts = { path, tensor: `module.${first.name}`, first: Array.from(values.subarray(0, 8)), sum: values.reduce((a, b) => a + b, 0) };
}

await mkdir(out, { recursive: true });
const started = Date.now();
const info = await selectBackend(gpu, { print: () => {} });
say(`adapter: ${info.description}`);
const models: ModelResult[] = [];
for (const spec of modelSpecs(quick)) models.push(await checkModel(spec));
const results = {
  adapter: info.description,
  accelerator: gpu,
  quick,
  models,
  checkpoint: checkpointFacts,
  tensorboard: { dir: join(out, 'tensorboard'), tag: 'train_loss', points: models.find((m) => m.key === 'mlp')?.timedSteps },
  seconds: (Date.now() - started) / 1000,
};
await writeFile(join(out, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);

for (const m of models) {
  say(`${m.name}: loss vs cpu max relative difference ${m.lossMaxRelativeDifference.toExponential(2)} (${m.lossOk ? 'ok' : 'TOO LARGE'}); ` +
    `resume after ${m.resumeSteps / 2} of ${m.resumeSteps} steps: ${m.resumeOk ? 'bit-identical' : `${m.resumeDifferingValues} values differ`}; ` +
    `${m.stepsPerSecond.toFixed(2)} steps/s (batch ${m.batch})`);
}
say(`results: ${join(out, 'results.json')}`);
if (models.some((m) => !m.lossOk || !m.resumeOk)) process.exitCode = 1;
