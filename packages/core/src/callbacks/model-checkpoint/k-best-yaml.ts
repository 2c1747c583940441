import { stringify } from 'yaml';
import { writeTextFileAtomically } from '../../checkpoint/file/index.js';

export const K_BEST_YAML_NAME = 'best_k_models.yaml';

/** The `path: score` lines of best_k_models.yaml. */
export function kBestYamlText(bestKModels: Readonly<Record<string, number>>): string {
  return stringify({ ...bestKModels });
}

/** Writes `path: score` lines atomically (temp file, fsync, rename): a reader never sees half a file. */
export async function writeKBestYaml(path: string, bestKModels: Readonly<Record<string, number>>): Promise<void> {
  await writeTextFileAtomically(path, kBestYamlText(bestKModels));
}
