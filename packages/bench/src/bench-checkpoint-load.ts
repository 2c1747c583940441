import * as tf from '@tensorflow/tfjs';
import { loadCheckpoint, readCheckpointFile, selectBackend } from '@cairn/core';
import { stat } from 'node:fs/promises';
import { repsFor, type BenchContext } from './context.js';
import { alternate, seconds } from './measure.js';
import { rawRead } from './raw-io.js';
import type { BenchOutput } from './result.js';

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
  }
  return out;
}
