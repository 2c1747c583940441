import { mkdir, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '@cairn/core';
import { BlocksModule, trainedBigState } from './big-state.js';
import { repsFor, type BenchContext } from './context.js';
import { disposeSplit, syntheticSplit } from './data.js';
import { fitSeconds, type FitWorkload } from './fit-timing.js';
import { alternate, seconds, type Comparison } from './measure.js';
import { benchOptimizer, denseStack, smallConvNet } from './models.js';
import { rawRead } from './raw-io.js';
import type { BenchOutput, Row, Target } from './result.js';
import { fileLoadHandler, fileSaveHandler } from './tfjs-file-io.js';
import { TorchPeer, torchAvailable } from './torch-peer.js';

interface PeerWorkload extends FitWorkload {
  name: string;
  torchModel: 'mlp' | 'conv';
  steps: number;
  /** Cairn speed / PyTorch speed the issue asks for. */
  torchTarget: number;
}

const CLASSES = 10;
const WORKLOADS: readonly PeerWorkload[] = [
  { name: 'MLP 784-256-10, batch 128', torchModel: 'mlp', build: () => denseStack([784, 256, 10]), inputShape: [784], classes: CLASSES, batch: 128, steps: 40, torchTarget: 0.25 },
  {
    name: 'conv net 28x28x1 (conv16-pool-conv32/2-dense10), batch 64', torchModel: 'conv',
    build: () => smallConvNet(28, CLASSES, [16, 32]), inputShape: [28, 28, 1], classes: CLASSES, batch: 64, steps: 20, torchTarget: 0.35,
  },
];

/** ~100 MB of state: 8 variables of 1024x1024 and their Adam slots (the size the issue measured). */
const PEER_BLOCKS = 8;

/** Seconds for the same steps through TF.js' own `model.fit` (same model, loss, optimizer, batches). */
async function modelFitSeconds(w: PeerWorkload, steps: number): Promise<number> {
  const train = syntheticSplit(steps * w.batch, w.inputShape, CLASSES);
  const net = w.build();
  const optimizer = benchOptimizer();
  net.compile({ optimizer, loss: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.losses.softmaxCrossEntropy(yTrue, yPred) });
  try {
    return await seconds(() => net.fit(train.x, train.y, { batchSize: w.batch, epochs: 1, shuffle: false, verbose: 0 }));
  } finally {
    net.dispose();
    optimizer.dispose();
    disposeSplit(train);
  }
}

function speedRow(group: string, what: string, peer: string, steps: number, c: Comparison, target: Target): Row {
  return {
    group,
    what,
    cairn: { value: steps / c.a, unit: 'steps/s' },
    baseline: { name: peer, value: steps / c.b, unit: 'steps/s' },
    ratio: c.ratio,
    ratioMeaning: 'Cairn speed / peer speed',
    target,
    reps: c.reps,
  };
}

async function trainingRows(ctx: BenchContext, torch: TorchPeer | undefined, torchName: string): Promise<Row[]> {
  const rows: Row[] = [];
  for (const w of WORKLOADS) {
    const steps = ctx.quick ? 3 : w.steps;
    const { reps, warmup } = repsFor(ctx, 5);
    ctx.say(`peers, training ${w.name}: ${steps} steps per run, ${reps} pairs per peer`);
    const vsFit = await alternate({ warmup, reps, a: () => fitSeconds(w, 'wasm', steps), b: () => modelFitSeconds(w, steps), ratio: (a, b) => b / a });
    rows.push(speedRow('6. peers: training', `trainer.fit, ${w.name}, Adam, wasm`, 'TF.js model.fit, same model and batches, wasm', steps, vsFit, { op: '>=', value: 1 }));
    if (torch === undefined) continue;
    const vsTorch = await alternate({ warmup, reps, a: () => fitSeconds(w, 'wasm', steps), b: () => torch.train(w.torchModel, steps), ratio: (a, b) => b / a });
    rows.push(speedRow('6. peers: training', `trainer.fit, ${w.name}, Adam, wasm`, `${torchName}, same model`, steps, vsTorch, { op: '>=', value: w.torchTarget }));
  }
  return rows;
}

function timeRow(what: string, peer: string, bytes: number, c: Comparison, ratioMeaning: string, target: Target): Row {
  return {
    group: '6. peers: checkpoints',
    what,
    cairn: { value: c.a * 1000, unit: 'ms' },
    baseline: { name: peer, value: c.b * 1000, unit: 'ms' },
    ratio: c.ratio,
    ratioMeaning,
    target,
    reps: c.reps,
    note: `${(bytes / 1e6).toFixed(0)} MB of state`,
  };
}

/** A dense model of PEER_BLOCKS 1024x1024 layers with Adam slots, for TF.js' own save and load. */
async function trainedLayersModel(): Promise<{ model: tf.LayersModel; optimizer: tf.Optimizer }> {
  const model = denseStack(Array.from({ length: PEER_BLOCKS + 1 }, () => 1024));
  const optimizer = benchOptimizer();
  model.compile({ optimizer, loss: 'meanSquaredError' });
  const x = tf.randomNormal([4, 1024]);
  await model.fit(x, x, { epochs: 1, verbose: 0 });
  x.dispose();
  return { model, optimizer };
}

async function checkpointRows(ctx: BenchContext, torch: TorchPeer | undefined, torchName: string): Promise<Row[]> {
  const rows: Row[] = [];
  const blocks = ctx.quick ? 1 : PEER_BLOCKS;
  const { reps, warmup } = repsFor(ctx, 5);
  const { trainer, module, stateBytes } = await trainedBigState({ label: `${blocks} blocks`, blocks });
  const tfjs = await trainedLayersModel();
  const kept = join(ctx.dir, 'peer.ckpt');
  const tfjsDir = join(ctx.dir, 'tfjs-model');
  await mkdir(tfjsDir, { recursive: true });
  let run = 0;
  const cairnSave = async (): Promise<number> => {
    const path = join(ctx.dir, `peer-save-${run++}.ckpt`);
    const elapsed = await seconds(() => trainer.saveCheckpoint(path));
    await unlink(path);
    return elapsed;
  };
  const cairnLoad = (): Promise<number> => seconds(async () => {
    const loaded = await BlocksModule.loadFromCheckpoint(kept);
    loaded.dispose();
  });
  try {
    await trainer.saveCheckpoint(kept);
    await tfjs.model.save(fileSaveHandler(tfjsDir), { includeOptimizer: true });
    ctx.say(`peers, checkpoints of ${(stateBytes / 1e6).toFixed(0)} MB: ${reps} pairs per peer`);
    const saveVsTfjs = await alternate({
      warmup, reps, a: cairnSave,
      b: () => seconds(() => tfjs.model.save(fileSaveHandler(tfjsDir), { includeOptimizer: true })),
      ratio: (a, b) => b / a,
    });
    rows.push(timeRow('trainer.saveCheckpoint (weights + Adam), wasm', 'TF.js model.save with includeOptimizer, file handler with fsync', stateBytes, saveVsTfjs, 'peer time / Cairn time', { op: '>=', value: 1 }));
    const loadVsRaw = await alternate({ warmup, reps, a: cairnLoad, b: () => seconds(() => rawRead(kept)), ratio: (a, b) => a / b });
    rows.push(timeRow('Module.loadFromCheckpoint (build, read, verify, load weights), wasm', 'fs.readFile of the same file', stateBytes, loadVsRaw, 'Cairn time / raw read time', { op: '<=', value: 1.3 }));
    const loadVsTfjs = await alternate({
      warmup, reps, a: cairnLoad,
      b: () => seconds(async () => (await tf.loadLayersModel(fileLoadHandler(tfjsDir))).dispose()),
      ratio: (a, b) => b / a,
    });
    rows.push(timeRow('Module.loadFromCheckpoint, wasm', 'tf.loadLayersModel from a file handler (weights + Adam)', stateBytes, loadVsTfjs, 'peer time / Cairn time', { op: '>=', value: 1 }));
    if (torch !== undefined) {
      const torchFile = join(ctx.dir, 'peer.pt');
      const saveVsTorch = await alternate({ warmup, reps, a: cairnSave, b: () => torch.save(torchFile, blocks), ratio: (a, b) => b / a });
      rows.push(timeRow('trainer.saveCheckpoint (weights + Adam), wasm', `${torchName}: torch.save + fsync of the same state`, stateBytes, saveVsTorch, 'peer time / Cairn time', { op: '>=', value: 1 }));
      const loadVsTorch = await alternate({ warmup, reps, a: cairnLoad, b: () => torch.load(torchFile, blocks), ratio: (a, b) => b / a });
      rows.push(timeRow('Module.loadFromCheckpoint, wasm', `${torchName}: build module + optimizer, torch.load, load_state_dict`, stateBytes, loadVsTorch, 'peer time / Cairn time', { op: '>=', value: 1 }));
    }
  } finally {
    module.dispose();
    trainer.optimizer?.dispose();
    tfjs.model.dispose();
    tfjs.optimizer.dispose();
    tf.disposeVariables();
    await rm(tfjsDir, { recursive: true, force: true });
  }
  return rows;
}

/**
 * 6. Cairn beside what a user would pick instead: TF.js' own `model.fit`, `model.save` and
 * `tf.loadLayersModel`, and (when /usr/bin/python3 has torch: `pnpm bench:peers` installs it)
 * PyTorch on the CPU, all side by side in ABBA pairs in this run.
 */
export async function benchPeers(ctx: BenchContext): Promise<BenchOutput> {
  await selectBackend('wasm');
  const notes: string[] = [];
  let torch: TorchPeer | undefined;
  let torchName = '';
  if (torchAvailable()) {
    torch = new TorchPeer();
    const info = await torch.info();
    torchName = `PyTorch ${info.version} CPU, ${info.threads} thread${info.threads === 1 ? '' : 's'}`;
    notes.push(`6. peers: ${torchName} (/usr/bin/python3), timed inside one long-lived Python process.`);
  } else {
    notes.push('6. peers: PyTorch rows left out: /usr/bin/python3 has no torch (run `pnpm bench:peers` as root to install it).');
  }
  try {
    const rows = [...await trainingRows(ctx, torch, torchName), ...await checkpointRows(ctx, torch, torchName)];
    return { rows, notes };
  } finally {
    torch?.close();
  }
}
