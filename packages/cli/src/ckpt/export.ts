import { dirname } from 'node:path';
import { exportCheckpointToTfjs, LightningModule } from '@cairn/core';
import { CliError, EXIT } from '../cli-error.js';
import { toJson, type Output } from '../output.js';
import { loadExport, parseClassPath } from '../run/load-export.js';

type ModuleClass = (new (hparams: Record<string, unknown>) => LightningModule) & { loadFromCheckpoint(path: string): Promise<LightningModule> };

/** `cairn ckpt export FILE --format tfjs -o DIR --module file.ts#Class`: core's TF.js export (model.json + weights.bin). */
export async function exportCommand(path: string, options: { format: string; out: string; module: string; field?: string }, out: Output): Promise<number> {
  if (options.format !== 'tfjs') throw new CliError(`--format must be 'tfjs' (the only export format), got '${options.format}'`);
  const { file, name } = parseClassPath(options.module, '--module');
  const exported = await loadExport(file, name, process.cwd(), '--module');
  if (typeof exported !== 'function' || !(exported.prototype instanceof LightningModule)) throw new CliError(`--module: ${name} in ${file} is not a LightningModule subclass`);
  const written = await exportCheckpointToTfjs(exported as ModuleClass, path, options.out, options.field);
  if (out.json) out.result(toJson({ checkpoint: path, ...written }));
  else out.result(`exported ${path} to ${dirname(written.modelJson)} (model.json, weights.bin)`);
  return EXIT.ok;
}
