import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs';
import { Callback, DataLoader, LightningModule, seedEverything, selectBackend, TensorDataset, Trainer, type Accelerator, type Logger, type OptimizerConfig } from '@cairn/core';
import type { ModelSpec } from './models.js';

const SEED = 7;

/** Softmax classifier over the spec's net, Adam 1e-3: the same module on every backend. */
class Classifier extends LightningModule<tf.Tensor[]> {
  constructor(readonly net: tf.LayersModel) {
    super();
  }

  trainingStep([x, y]: tf.Tensor[]): tf.Scalar {
    const logits = this.net.apply(x!, { training: true }) as tf.Tensor;
    const loss = tf.losses.softmaxCrossEntropy(y!, logits) as tf.Scalar;
    this.log('train_loss', loss, { onStep: true, onEpoch: false });
    return loss;
  }

  configureOptimizers(): OptimizerConfig {
    return tf.train.adam(1e-3);
  }
}

/** Each step's loss, as the trainer logged it. */
class LossRecorder extends Callback {
  readonly losses: number[] = [];

  override onTrainBatchEnd(trainer: Trainer): void {
    const loss = trainer.callbackMetrics.train_loss;
    if (loss !== undefined) this.losses.push(loss);
  }
}

/** Inputs and one-hot labels from a fixed integer stream: identical on every backend and run. */
function syntheticData(spec: ModelSpec, samples: number): TensorDataset {
  const size = spec.inputShape.reduce((a, b) => a * b, 1);
  let state = 12345;
  const next = (): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
  const x = Float32Array.from({ length: samples * size }, () => next() * 2 - 1);
  const labels = Int32Array.from({ length: samples }, () => Math.floor(next() * spec.classes));
  return new TensorDataset(tf.tensor(x, [samples, ...spec.inputShape]), tf.oneHot(tf.tensor1d(labels, 'int32'), spec.classes).toFloat());
}

/**
 * Requests a checkpoint in the step that reaches `step`: it is captured at that step's boundary, so it
 * resumes at the next batch. (A save after fit would come after the loop closed the epoch, and resume
 * at the next epoch, as in Lightning.)
 */
class SaveAtStep extends Callback {
  constructor(private readonly step: number, private readonly path: string) {
    super();
  }

  override onTrainBatchEnd(trainer: Trainer): void {
    // Not awaited: the capture happens after this hook, and fit settles only once the file is durable
    // (a failed write fails the fit).
    if (trainer.globalStep === this.step) void trainer.saveCheckpoint(this.path);
  }
}

export interface RunOptions {
  accelerator: Accelerator;
  steps: number;
  /** Samples in the data set; default one epoch of `steps` batches. A resumed run and its reference need the same. */
  samples?: number;
  ckptPath?: string;
  /** Save a checkpoint here at the boundary of step `step`. */
  saveAt?: { step: number; path: string };
  logger?: Logger;
}

export interface Run {
  module: Classifier;
  trainer: Trainer;
  losses: number[];
  seconds: number;
}

/** Builds the spec's net from the fixed seed on the accelerator, then fits `steps` steps (timed, fit only). */
export async function train(spec: ModelSpec, options: RunOptions): Promise<Run> {
  const recorder = new LossRecorder();
  const trainer = new Trainer({
    accelerator: options.accelerator,
    maxSteps: options.steps,
    seed: SEED,
    enableProgressBar: false,
    enableCheckpointing: false,
    numSanityValSteps: 0,
    logEveryNSteps: 1,
    logger: options.logger ?? false,
    callbacks: options.saveAt === undefined ? [recorder] : [recorder, new SaveAtStep(options.saveAt.step, options.saveAt.path)],
    print: () => {},
  });
  // The data and the initial weights are made on the backend under test, from the same seed everywhere.
  await selectBackend(options.accelerator, { print: () => {} });
  seedEverything(SEED);
  const module = new Classifier(spec.build());
  const loader = new DataLoader(syntheticData(spec, options.samples ?? options.steps * spec.batch), { batchSize: spec.batch });
  const start = performance.now();
  await trainer.fit(module, loader, undefined, options.ckptPath === undefined ? {} : { ckptPath: options.ckptPath });
  return { module, trainer, losses: recorder.losses, seconds: (performance.now() - start) / 1000 };
}

/** Every weight of the module, read asynchronously (the only way on webgpu). */
export async function weightValues(module: LightningModule): Promise<Float32Array[]> {
  return Promise.all(module.namedWeights().map(async ({ variable }) => Float32Array.from(await variable.data())));
}

export function dispose(run: Run): void {
  run.module.net.dispose();
  run.trainer.optimizer?.dispose();
}
