import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { parse } from 'yaml';
import { decodeJson, describeMetadata, findCheckpointFiles, readCheckpointMetadata, STATE_METADATA_KEYS } from '@cairn/core';
import { monitoredScore } from '../ckpt/check.js';

export type CheckpointKind = 'best' | 'top-k' | 'last' | 'other';

/** A checkpoint file as the report marks it on the charts and lists it. */
export interface CheckpointMarker {
  /** Path relative to the folder searched. */
  file: string;
  /** best: ModelCheckpoint's best model; top-k: another of its kept k best; last: the 'last' save; other: any other file. */
  kinds: CheckpointKind[];
  epoch: number | null;
  step: number | null;
  monitor: string | null;
  score: number | null;
  /** Why the file's header could not be read (then it is listed but not drawn). */
  problem: string | null;
}

const K_BEST_YAML = 'best_k_models.yaml';
const LAST_NAME = /^last(-v\d+)?\.ckpt$/;

interface FileFacts {
  path: string;
  epoch: number;
  step: number;
  callbacks: Record<string, Record<string, unknown>>;
}

/** ModelCheckpoint's saved record (Lightning's state_dict keys) in a checkpoint's callback states, if any. */
function checkpointRecord(callbacks: FileFacts['callbacks']): { bestModelPath?: string; lastModelPath?: string; bestKModels?: Record<string, number> } | undefined {
  const key = Object.keys(callbacks).find((name) => name.startsWith('ModelCheckpoint'));
  return key === undefined ? undefined : (callbacks[key] as { bestModelPath?: string; lastModelPath?: string; bestKModels?: Record<string, number> });
}

/**
 * Finds which of `paths` a path recorded by ModelCheckpoint names: the same absolute path, or,
 * when the run folder was moved since (the recorded path no longer exists), the one file of the
 * same name.
 */
function matchRecorded(recorded: string, paths: readonly string[]): string | undefined {
  const absolute = resolve(recorded);
  if (paths.includes(absolute)) return absolute;
  if (existsSync(absolute)) return undefined;
  const sameName = paths.filter((path) => basename(path) === basename(recorded));
  return sameName.length === 1 ? sameName[0] : undefined;
}

/**
 * Every `*.ckpt` below `dir` (core's scan), read through core's metadata readers only (no
 * tensors, no checksum pass: `cairn ckpt verify` is the check), and classified from
 * ModelCheckpoint's own records: `best_k_models.yaml` (kept current after every top-k change)
 * for the top k and their scores, and the newest checkpoint's callback state for the best and
 * last paths.
 */
export async function findCheckpointMarkers(dir: string): Promise<CheckpointMarker[]> {
  if (!existsSync(dir) || !(await stat(dir)).isDirectory()) return [];
  const paths = (await findCheckpointFiles(dir)).sort();
  const facts = new Map<string, FileFacts>();
  const problems = new Map<string, string>();
  for (const path of paths) {
    try {
      const metadata = await readCheckpointMetadata(path);
      const { epoch, globalStep } = describeMetadata(path, metadata);
      const text = metadata[STATE_METADATA_KEYS.callbacks];
      const callbacks = text === undefined ? {} : (decodeJson(text) as FileFacts['callbacks']);
      facts.set(path, { path, epoch, step: globalStep, callbacks });
    } catch (error) {
      problems.set(path, error instanceof Error ? error.message : String(error));
    }
  }

  const newest = [...facts.values()].filter((f) => checkpointRecord(f.callbacks) !== undefined).sort((a, b) => a.step - b.step).at(-1);
  const record = newest === undefined ? undefined : checkpointRecord(newest.callbacks);
  const topK = new Map<string, number>();
  for (const [recorded, score] of Object.entries(await readKBest(paths) ?? record?.bestKModels ?? {})) {
    const path = matchRecorded(recorded, paths);
    if (path !== undefined) topK.set(path, score);
  }
  const best = record?.bestModelPath ? matchRecorded(record.bestModelPath, paths) : undefined;
  const last = record?.lastModelPath ? matchRecorded(record.lastModelPath, paths) : undefined;

  return paths.map((path) => {
    const file = relative(dir, path);
    const fact = facts.get(path);
    if (fact === undefined) return { file, kinds: ['other'], epoch: null, step: null, monitor: null, score: null, problem: problems.get(path) ?? 'unreadable' };
    const kinds: CheckpointKind[] = [];
    if (path === best) kinds.push('best');
    else if (topK.has(path)) kinds.push('top-k');
    if (path === last || LAST_NAME.test(basename(path))) kinds.push('last');
    if (kinds.length === 0) kinds.push('other');
    const own = monitoredScore(fact.callbacks);
    return { file, kinds, epoch: fact.epoch, step: fact.step, monitor: own?.monitor ?? null, score: topK.get(path) ?? own?.score ?? null, problem: null };
  });
}

/** The newest best_k_models.yaml next to the checkpoints (path: score), or undefined if there is none. */
async function readKBest(paths: readonly string[]): Promise<Record<string, number> | undefined> {
  const folders = [...new Set(paths.map((path) => dirname(path)))];
  let newest: { mtime: number; models: Record<string, number> } | undefined;
  for (const folder of folders) {
    const path = join(folder, K_BEST_YAML);
    if (!existsSync(path)) continue;
    const mtime = (await stat(path)).mtimeMs;
    const models = parse(await readFile(path, 'utf8')) as Record<string, number> | null;
    if (newest === undefined || mtime > newest.mtime) newest = { mtime, models: models ?? {} };
  }
  return newest?.models;
}
