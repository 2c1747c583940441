import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';
import { CliError } from '../cli-error.js';

let tsRegistered = false;

/**
 * Imports export `name` of the file `file` (relative to `baseDir`). TypeScript files load through
 * tsx's loader hooks, registered once and globally so that the user's file and the CLI share one
 * copy of @cairn/core and TF.js (a namespaced import would load a second copy of each).
 */
export async function loadExport(file: string, name: string, baseDir: string, what: string): Promise<unknown> {
  const path = isAbsolute(file) ? file : resolve(baseDir, file);
  if (!existsSync(path)) throw new CliError(`${what}: file ${path} does not exist`);
  if (/\.[cm]?tsx?$/.test(path) && !tsRegistered) {
    register();
    tsRegistered = true;
  }
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    throw new CliError(`${what}: importing ${path} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!(name in module)) throw new CliError(`${what}: ${path} has no export '${name}' (it exports: ${Object.keys(module).join(', ') || 'nothing'})`);
  return module[name];
}

/** `path/to/file.ts#ExportName` -> its parts; `#` is required so the export is never guessed. */
export function parseClassPath(spec: string, what: string): { file: string; name: string } {
  const at = spec.lastIndexOf('#');
  if (at <= 0 || at === spec.length - 1) throw new CliError(`${what}: '${spec}' must be 'path/to/file.ts#ExportName'`);
  return { file: spec.slice(0, at), name: spec.slice(at + 1) };
}
