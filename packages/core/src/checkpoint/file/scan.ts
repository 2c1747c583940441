import { resolve } from 'node:path';
import fg from 'fast-glob';

/**
 * Every `*.ckpt` file below `dir` (sub-folders included: a `/` in a name template makes them), as
 * absolute paths. Symlinked folders are not followed (a `last` link is listed, not its target's
 * folder); hidden names are skipped, and temp files never end in `.ckpt`, so a crashed write's
 * leftovers are never listed. A missing folder gives [].
 */
export async function findCheckpointFiles(dir: string): Promise<string[]> {
  const paths = await fg('**/*.ckpt', { cwd: dir, absolute: true, onlyFiles: true, followSymbolicLinks: false, dot: false });
  return paths.map((path) => resolve(path));
}
