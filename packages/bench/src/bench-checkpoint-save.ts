import { stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { megabytes, trainedBigState, type StateSize } from './big-state.js';
import { repsFor, type BenchContext } from './context.js';
import { alternate } from './measure.js';
import { trackPeak } from './memory.js';
import { payload, timedRawWrite } from './raw-io.js';
import type { BenchOutput, Row } from './result.js';

export interface SaveOutput extends BenchOutput {
  /** One checkpoint per size, kept for the load benchmark. */
  files: { label: string; path: string }[];
}

/**
 * 2. `trainer.saveCheckpoint` (outside fit: snapshot, encode, CRC, atomic durable write) against
 * a plain write + fsync of the same number of bytes into the same folder. Also records the
 * peak extra memory of a save once the first one has run.
 */
export async function benchCheckpointSave(ctx: BenchContext, sizes: readonly StateSize[]): Promise<SaveOutput> {
  const out: SaveOutput = { rows: [], notes: [], files: [] };
  for (const size of sizes) {
    const { trainer, module, stateBytes, composition } = await trainedBigState(size);
    try {
      const kept = join(ctx.dir, `load-${size.blocks}.ckpt`);
      await trainer.saveCheckpoint(kept);
      const fileBytes = (await stat(kept)).size;
      out.files.push({ label: size.label, path: kept });
      const raw = payload(fileBytes);
      const { reps, warmup } = repsFor(ctx, 9);
      ctx.say(`checkpoint save ${size.label}: ${megabytes(fileBytes)} file, ${reps} pairs`);
      let run = 0;
      // Timed saves run bare: memory sampling (a timer every 2 ms) would slow the Cairn side only.
      const comparison = await alternate({
        warmup,
        reps,
        a: async () => {
          const path = join(ctx.dir, `save-${run++}.ckpt`);
          const start = performance.now();
          await trainer.saveCheckpoint(path);
          const elapsed = (performance.now() - start) / 1000;
          await unlink(path);
          return elapsed;
        },
        b: () => timedRawWrite(join(ctx.dir, `raw-${run++}.bin`), raw),
        // Throughput ratio: Cairn bytes/s over raw bytes/s = raw time / Cairn time.
        ratio: (a, b) => b / a,
      });
      // The first save allocated the staging buffers (kept for later saves): measured after it.
      let peakExtra = 0;
      let peakNote = '';
      for (let i = 0; i < reps + warmup; i++) {
        const path = join(ctx.dir, `peak-${run++}.ckpt`);
        const peak = await trackPeak(() => trainer.saveCheckpoint(path));
        await unlink(path);
        // Memory the save really adds: process RSS (wasm heap growth, staging, V8) and buffers
        // outside V8. The snapshot's tensor handles share the variables' memory (TF.js bytes count
        // them again, shown in the note): they cost memory only while training replaces the
        // variables during a save in the background, up to the state's size.
        const extra = Math.max(peak.rssDelta, peak.arrayBuffersDelta, 0);
        if (extra >= peakExtra) {
          peakExtra = extra;
          peakNote = `RSS +${megabytes(peak.rssDelta)}, ArrayBuffers +${megabytes(peak.arrayBuffersDelta)}; snapshot handles (shared, not copied) ${megabytes(peak.tensorDelta)}`;
        }
      }
      const rows: Row[] = [
        {
          group: '2. checkpoint save',
          what: `trainer.saveCheckpoint, ${size.label} state (${composition}), wasm`,
          cairn: { value: fileBytes / 1e6 / comparison.a, unit: 'MB/s' },
          baseline: { name: 'fs write + fsync + rename, same bytes, same folder', value: fileBytes / 1e6 / comparison.b, unit: 'MB/s' },
          ratio: comparison.ratio,
          ratioMeaning: 'Cairn rate / raw rate',
          target: { op: '>=', value: 0.95 },
          reps,
        },
        {
          group: '2b. save peak memory',
          what: `extra memory during one save, ${size.label} state`,
          cairn: { value: peakExtra / 1e6, unit: 'MB' },
          baseline: { name: 'state size', value: stateBytes / 1e6, unit: 'MB' },
          ratio: peakExtra / stateBytes,
          ratioMeaning: 'peak extra / state size',
          target: { op: '<=', value: 0.01 },
          reps: reps + warmup,
          note: peakNote,
        },
      ];
      out.rows.push(...rows);
    } finally {
      module.dispose();
      trainer.optimizer?.dispose();
      tf.disposeVariables();
    }
  }
  return out;
}
