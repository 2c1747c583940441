import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CheckpointError, loadCheckpoint, readCheckpointFile, resetRandom, Trainer, writeCheckpointFile } from '../../src/index.js';
import type { TensorRecord } from '../../src/checkpoint/file/index.js';
import { RESERVED_METADATA_KEYS } from '../../src/checkpoint/file/format.js';
import { CheckpointFolder, SaveAtSteps } from '../helpers/run-recorder.js';
import { loaders, quiet, TinyRegressor } from '../helpers/tiny-module.js';

afterEach(() => resetRandom());

/** A run that leaves full checkpoints of steps 3 and 6 in a fresh folder. */
async function folderWithCheckpoints(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-fallback-'));
  const trainer = new Trainer({ ...quiet, enableCheckpointing: true, accelerator: 'cpu', seed: 1, maxEpochs: 2, callbacks: [new CheckpointFolder(dir), new SaveAtSteps(new Set([3, 6]), (s) => join(dir, `step-${s}.ckpt`))] });
  await trainer.fit(new TinyRegressor(), loaders().train);
  return dir;
}

/**
 * Rewrites `from` as a NEWER checkpoint `to` (global step 9) whose file is perfectly valid (layout,
 * checksum) but whose content Cairn cannot decode, as changed by `edit`.
 */
async function forgeNewest(from: string, to: string, edit: (tensors: TensorRecord[], metadata: Record<string, string>) => void): Promise<void> {
  const { tensors, metadata } = await readCheckpointFile(from);
  // The file layer writes its own keys again (and a valid checksum) for the rewritten file.
  const kept = Object.fromEntries(Object.entries(metadata).filter(([key]) => !RESERVED_METADATA_KEYS.has(key)));
  kept['cairn.global_step'] = '9';
  const records = [...tensors.values()];
  edit(records, kept);
  await writeCheckpointFile(to, records, kept);
}

/** float32 bytes as float64 bytes: same values, a dtype TF.js has no tensor type for. */
function asFloat64(record: TensorRecord): TensorRecord {
  const values = new Float32Array(record.data.slice().buffer);
  return { ...record, dtype: 'F64', data: new Uint8Array(Float64Array.from(values).buffer) };
}

async function resumeLast(dir: string): Promise<{ trainer: Trainer; warnings: string[] }> {
  const warnings: string[] = [];
  const trainer = new Trainer({ ...quiet, enableCheckpointing: true, print: (line) => warnings.push(line), accelerator: 'cpu', seed: 1, maxEpochs: 2, callbacks: [new CheckpointFolder(dir)] });
  await trainer.fit(new TinyRegressor(), loaders().train, undefined, { ckptPath: 'last' });
  return { trainer, warnings };
}

describe("ckptPath 'last' skips a newest file whose content cannot be decoded", () => {
  it('a module weight of a dtype TF.js cannot hold (F64): a state error naming the tensor, and the next file is used', async () => {
    const dir = await folderWithCheckpoints();
    const newest = join(dir, 'step-9.ckpt');
    await forgeNewest(join(dir, 'step-6.ckpt'), newest, (records) => {
      const i = records.findIndex((r) => r.name === 'module.net.0.kernel');
      records[i] = asFloat64(records[i]!);
    });
    const error = await loadCheckpoint(newest).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointError);
    expect(error).toMatchObject({ check: 'state', path: newest });
    expect((error as Error).message).toMatch(/'module\.net\.0\.kernel' has dtype F64/);

    const { trainer, warnings } = await resumeLast(dir);
    expect(trainer.ckptPath).toBe(join(dir, 'step-6.ckpt'));
    expect(warnings.some((w) => w.includes(newest) && w.includes('F64') && w.includes('falling back'))).toBe(true);
  });

  it('Cairn metadata that is not valid JSON: skipped the same way', async () => {
    const dir = await folderWithCheckpoints();
    const newest = join(dir, 'step-9.ckpt');
    await forgeNewest(join(dir, 'step-6.ckpt'), newest, (_records, metadata) => {
      metadata['cairn.callbacks'] = '{not json';
    });
    const { trainer, warnings } = await resumeLast(dir);
    expect(trainer.ckptPath).toBe(join(dir, 'step-6.ckpt'));
    expect(warnings.some((w) => w.includes(newest) && w.includes("'cairn.callbacks' is not valid JSON"))).toBe(true);
  });
});
