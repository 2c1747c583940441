import { stat } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { findCheckpointFiles } from '@cairn/core';
import { CliError } from '../cli-error.js';

/**
 * `target` itself if it is a file, else every `*.ckpt` below it by core's scan (sorted by their
 * path inside `target`); a missing path is a usage error.
 */
export async function checkpointFiles(target: string): Promise<string[]> {
  let info;
  try {
    info = await stat(target);
  } catch {
    throw new CliError(`${target}: no such file or folder`);
  }
  if (!info.isDirectory()) return [target];
  const root = resolve(target);
  return (await findCheckpointFiles(root)).map((path) => relative(root, path)).sort().map((name) => `${target.replace(/\/+$/, '')}/${name}`);
}
