import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';

/**
 * At the end of a ModelCheckpoint run (fixture scenario 'topk', flat folder): the checkpoints
 * on disk are exactly the keys of best_k_models.yaml, at most k of them, even after kills between
 * a save and its rotation. Returns what differs (empty when they match).
 */
export async function topKMismatch(dir: string, k: number): Promise<string[]> {
  const ranking = parse(await readFile(join(dir, 'best_k_models.yaml'), 'utf8')) as Record<string, number> | null;
  const listed = Object.keys(ranking ?? {}).sort();
  const onDisk = (await readdir(dir)).filter((name) => name.endsWith('.ckpt')).map((name) => join(dir, name)).sort();
  const problems: string[] = [];
  if (listed.length > k) problems.push(`best_k_models.yaml lists ${listed.length} files, more than k=${k}`);
  if (JSON.stringify(listed) !== JSON.stringify(onDisk)) problems.push(`top-k on disk [${onDisk.join(', ')}] differs from best_k_models.yaml [${listed.join(', ')}]`);
  return problems;
}
