import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CheckpointError, readCheckpointFile } from '../../../src/index.js';
import { isTempCheckpointName } from '../../../src/checkpoint/file/index.js';

/** Files the crash fixture may leave besides checkpoints and temp files. */
const EXPECTED_OTHERS = new Set(['final.json', '.cairn.lock', 'best_k_models.yaml']);

export interface FolderReport {
  /** Every `.ckpt` that passed full verification, with its global step. */
  checkpoints: { path: string; step: number }[];
  /** `.ckpt` files that failed verification: a torn or partial file under a final name. */
  invalid: { path: string; error: string }[];
  /** Temp files (a write that was in progress when the writer died). */
  temps: string[];
  /** Anything else: should never appear. */
  unexpected: string[];
}

/** Reads and verifies every checkpoint in `dir` (not recursive: the fixtures write flat folders). */
export async function inspectCheckpointFolder(dir: string): Promise<FolderReport> {
  const report: FolderReport = { checkpoints: [], invalid: [], temps: [], unexpected: [] };
  for (const name of (await readdir(dir)).sort()) {
    const path = join(dir, name);
    if (name.endsWith('.ckpt')) {
      try {
        const { metadata } = await readCheckpointFile(path);
        report.checkpoints.push({ path, step: Number(metadata['cairn.global_step']) });
      } catch (error) {
        if (!(error instanceof CheckpointError)) throw error;
        report.invalid.push({ path, error: error.message });
      }
    } else if (isTempCheckpointName(name)) {
      report.temps.push(path);
    } else if (!EXPECTED_OTHERS.has(name)) {
      report.unexpected.push(path);
    }
  }
  return report;
}

/** The checkpoint 'last' must pick: the highest global step among the valid files. */
export function newestCheckpoint(report: FolderReport): { path: string; step: number } | undefined {
  return report.checkpoints.reduce<{ path: string; step: number } | undefined>((best, c) => (best === undefined || c.step > best.step ? c : best), undefined);
}
