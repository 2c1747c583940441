import { basename, relative } from 'node:path';
import { CliError, EXIT } from '../cli-error.js';
import { formatBytes, formatTable, toJson, type Output } from '../output.js';
import { checkCheckpoint, monitoredScore } from './check.js';
import { checkpointFiles } from './find-files.js';

export interface ListedCheckpoint {
  file: string;
  epoch: number | null;
  step: number | null;
  monitor: string | null;
  score: number | null;
  bytes: number | null;
  weightsOnly: boolean | null;
  valid: boolean;
  /** The check that failed and why, when not valid. */
  problem: string | null;
}

/** `cairn ckpt ls DIR`: one row per checkpoint file; exit 0 even when some are invalid (verify is the gate). */
export async function listCheckpoints(dir: string, out: Output): Promise<number> {
  const files = await checkpointFiles(dir);
  if (files.length === 0) throw new CliError(`${dir}: no .ckpt files`, EXIT.failed);
  const rows: ListedCheckpoint[] = [];
  for (const path of files) {
    const result = await checkCheckpoint(path);
    const file = files.length === 1 && path === dir ? basename(path) : relative(dir, path);
    if (result.ok) {
      const score = monitoredScore(result.state.callbacks);
      rows.push({ file, epoch: result.state.epoch, step: result.state.globalStep, monitor: score?.monitor ?? null, score: score?.score ?? null, bytes: result.bytes, weightsOnly: result.state.weightsOnly, valid: true, problem: null });
    } else {
      rows.push({ file, epoch: result.epoch ?? null, step: result.globalStep ?? null, monitor: null, score: null, bytes: result.bytes ?? null, weightsOnly: null, valid: false, problem: `${result.check}: ${result.message}` });
    }
  }
  if (out.json) {
    out.result(toJson(rows));
    return EXIT.ok;
  }
  const show = (value: number | null): string => (value === null ? '-' : String(value));
  out.result(formatTable(
    ['file', 'epoch', 'step', 'score', 'size', 'valid'],
    rows.map((r) => [r.file, show(r.epoch), show(r.step), r.score === null ? '-' : `${r.monitor}=${r.score}`, r.bytes === null ? '-' : formatBytes(r.bytes), r.valid ? (r.weightsOnly ? 'yes (weights only)' : 'yes') : `NO (${r.problem})`]),
  ));
  return EXIT.ok;
}
