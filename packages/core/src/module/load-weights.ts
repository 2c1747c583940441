import * as tf from '@tensorflow/tfjs';
import type { LightningModule } from './lightning-module.js';

/**
 * Assigns saved weights to a module by stable name. Every weight of the module must be present
 * with the same shape and dtype, and no saved weight may be left over: a partial load would
 * silently train from a mix of old and new weights.
 */
export function loadWeights(module: LightningModule, weights: ReadonlyMap<string, tf.Tensor>, source: string): void {
  const named = module.namedWeights();
  const problems: string[] = [];
  for (const { name, variable } of named) {
    const saved = weights.get(name);
    if (saved === undefined) problems.push(`missing '${name}'`);
    else if (!tf.util.arraysEqual(saved.shape, variable.shape) || saved.dtype !== variable.dtype) {
      problems.push(`'${name}' is ${saved.dtype}[${saved.shape.join(',')}] in the checkpoint but ${variable.dtype}[${variable.shape.join(',')}] in the module`);
    }
  }
  const known = new Set(named.map((w) => w.name));
  for (const name of weights.keys()) if (!known.has(name)) problems.push(`unexpected '${name}'`);
  if (problems.length > 0) throw new Error(`${source}: weights do not match the module: ${problems.join('; ')}`);
  for (const { name, variable } of named) variable.assign(weights.get(name)!);
}
