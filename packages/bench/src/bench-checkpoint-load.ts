import * as tf from '@tensorflow/tfjs';
import { loadCheckpoint, readCheckpointFile, selectBackend } from '@cairn/core';
import { stat } from 'node:fs/promises';
import { repsFor, type BenchContext } from './context.js';
import { megabytes } from './big-state.js';
import { alternate, seconds } from './measure.js';
import { trackPeak } from './memory.js';
import { rawRead } from './raw-io.js';
import type { BenchOutput, Row } from './result.js';

type Reader = 'readCheckpointFile' | 'loadCheckpoint';

/** One verified read: the file layer alone, or the state layer that also builds the tensors. */
async function cairnRead(reader: Reader, path: string): Promise<void> {
  if (reader === 'readCheckpointFile') {
    await readCheckpointFile(path);
    return;
  }
  const state = await loadCheckpoint(path);
  tf.dispose([...state.weights.values(), ...(state.optimizer?.weights ?? [])]);
}

/**
 * 3. Reading a checkpoint (whole-file CRC-32 verified; with loadCheckpoint also decoded into
 * tensors) against fs.readFile of the same file. Both read from the page cache: the file was
 * just written, and the warm-up pair reads it once more.
 */
export async function benchCheckpointLoad(ctx: BenchContext, files: readonly { label: string; path: string }[]): Promise<BenchOutput> {
  await selectBackend('wasm');
  const out: BenchOutput = { rows: [], notes: [] };
  for (const { label, path } of files) {
    const bytes = (await stat(path)).size;
    for (const reader of ['readCheckpointFile', 'loadCheckpoint'] as const) {
      const { reps, warmup } = repsFor(ctx, 9);
      ctx.say(`checkpoint load ${label} (${reader}): ${reps} pairs`);
      const comparison = await alternate({
        warmup,
        reps,
        a: () => seconds(() => cairnRead(reader, path)),
        b: () => seconds(() => rawRead(path)),
        ratio: (a, b) => b / a,
      });
      out.rows.push({
        group: '3. checkpoint load',
        what: `${reader}${reader === 'loadCheckpoint' ? ' (to wasm tensors)' : ''}, ${label} file, page cache`,
        cairn: { value: bytes / 1e6 / comparison.a, unit: 'MB/s' },
        baseline: { name: 'fs.readFile of the same file', value: bytes / 1e6 / comparison.b, unit: 'MB/s' },
        ratio: comparison.ratio,
        ratioMeaning: 'Cairn rate / raw rate',
        target: { op: '>=', value: reader === 'loadCheckpoint' ? 0.95 : 0.9 },
        reps,
      });
    }
    out.rows.push(await loadPeakRow(ctx, label, path, bytes));
  }
  return out;
}

/**
 * 3b. Peak memory of one loadCheckpoint (after a first one, which allocated the chunk buffers it
 * keeps): everything the load adds, the state's own tensors included, against the state's size.
 */
async function loadPeakRow(ctx: BenchContext, label: string, path: string, bytes: number): Promise<Row> {
  const { reps, warmup } = repsFor(ctx, 3);
  let peakTotal = 0;
  let note = '';
  for (let i = 0; i < reps + warmup; i++) {
    const peak = await trackPeak(() => cairnRead('loadCheckpoint', path));
    // The loaded tensors are wasm heap memory: TF.js bytes count them, RSS counts heap growth.
    const total = Math.max(peak.rssDelta, peak.tensorDelta + Math.max(0, peak.arrayBuffersDelta));
    if (i >= warmup && total >= peakTotal) {
      peakTotal = total;
      note = `RSS +${megabytes(peak.rssDelta)}, TF.js tensors +${megabytes(peak.tensorDelta)}, ArrayBuffers +${megabytes(peak.arrayBuffersDelta)}`;
    }
  }
  return {
    group: '3b. load peak memory',
    what: `memory during one loadCheckpoint (to wasm tensors), ${label} file`,
    cairn: { value: peakTotal / 1e6, unit: 'MB' },
    baseline: { name: 'file size (the state)', value: bytes / 1e6, unit: 'MB' },
    ratio: peakTotal / bytes,
    ratioMeaning: 'peak memory / state size',
    target: { op: '<=', value: 1.05 },
    reps,
    note,
  };
}
