import { WEIGHT_PREFIX, type DecodedCheckpoint, type TensorRecord } from '@cairn/core';

/** The module weights of a checkpoint (tensors named `module.*`), in file order. */
export function moduleWeights(file: DecodedCheckpoint): TensorRecord[] {
  return [...file.tensors.values()].filter((t) => t.name.startsWith(WEIGHT_PREFIX));
}

/** Why two checkpoints do not hold the same architecture (weight names, dtypes, shapes), or undefined when they do. */
export function architectureMismatch(a: DecodedCheckpoint, b: DecodedCheckpoint): string | undefined {
  const wa = new Map(moduleWeights(a).map((t) => [t.name, t]));
  const wb = new Map(moduleWeights(b).map((t) => [t.name, t]));
  for (const [name, t] of wa) {
    const other = wb.get(name);
    if (other === undefined) return `weight '${name}' is missing from the second file`;
    if (other.dtype !== t.dtype) return `weight '${name}' is ${t.dtype} in one file and ${other.dtype} in the other`;
    if (other.shape.join(',') !== t.shape.join(',')) return `weight '${name}' has shape [${t.shape.join(', ')}] in one file and [${other.shape.join(', ')}] in the other`;
  }
  for (const name of wb.keys()) if (!wa.has(name)) return `weight '${name}' is missing from the first file`;
  return undefined;
}
