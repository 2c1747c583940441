import { stat } from 'node:fs/promises';
import fg from 'fast-glob';
import { CliError } from '../cli-error.js';

/** `target` itself if it is a file, else every `*.ckpt` below it (sorted); a missing path is a usage error. */
export async function checkpointFiles(target: string): Promise<string[]> {
  let info;
  try {
    info = await stat(target);
  } catch {
    throw new CliError(`${target}: no such file or folder`);
  }
  if (!info.isDirectory()) return [target];
  return (await fg('**/*.ckpt', { cwd: target, absolute: false, onlyFiles: true, followSymbolicLinks: true, dot: false }))
    .sort()
    .map((name) => `${target.replace(/\/+$/, '')}/${name}`);
}
