import { basename } from 'node:path';
import { hasNumericValues, isFloatDtype, readValues, weightsOnlyMetadata, writeCheckpointFile, writeValues, type DecodedCheckpoint, type TensorRecord } from '@cairn/core';
import { readVerified } from './read-verified.js';
import { architectureMismatch, moduleWeights } from './weights.js';

export interface AverageResult {
  path: string;
  /** The files averaged, in order. */
  inputs: string[];
  weights: number;
}

/**
 * Checkpoint averaging: a weights-only checkpoint whose every module weight is the element-wise
 * mean of the same weight in `paths` (summed in float64, stored in the weight's own dtype). Every
 * file is verified first; files of different architectures (weight names, dtypes or shapes) are
 * refused, and so are integer or boolean weights that differ (a mean of them has no meaning).
 * The output takes the first file's epoch, step and hyper-parameters; `extra.averagedFrom` names
 * the inputs. Written atomically.
 */
export async function averageCheckpoints(paths: readonly string[], outPath: string): Promise<AverageResult> {
  if (paths.length < 2) throw new Error(`averageCheckpoints needs at least two checkpoints, got ${paths.length}`);
  const files: DecodedCheckpoint[] = [];
  for (const path of paths) files.push(await readVerified(path));
  const [first] = files;
  files.forEach((file, i) => {
    const mismatch = architectureMismatch(first!, file);
    if (mismatch !== undefined) throw new Error(`cannot average ${paths[0]} and ${paths[i]}: different architectures: ${mismatch}`);
  });
  const averaged: TensorRecord[] = moduleWeights(first!).map((weight) => {
    if (!hasNumericValues(weight.dtype)) throw new Error(`weight '${weight.name}' has dtype ${weight.dtype}, which cannot be averaged`);
    const all = files.map((file) => readValues(weight.dtype, file.tensors.get(weight.name)!.data));
    if (!isFloatDtype(weight.dtype)) {
      const differs = all.some((values) => values.some((v, i) => v !== all[0]![i]));
      if (differs) throw new Error(`weight '${weight.name}' is ${weight.dtype} and differs between the files: integer weights cannot be averaged`);
      return { ...weight };
    }
    const sum = new Float64Array(all[0]!.length);
    for (const values of all) for (let i = 0; i < sum.length; i++) sum[i]! += values[i]!;
    for (let i = 0; i < sum.length; i++) sum[i]! /= files.length;
    return { name: weight.name, dtype: weight.dtype, shape: weight.shape, data: writeValues(weight.dtype, sum) };
  });
  const metadata = weightsOnlyMetadata(paths[0]!, first!.metadata, { averagedFrom: paths.map((p) => basename(p)) });
  await writeCheckpointFile(outPath, averaged, metadata);
  return { path: outPath, inputs: [...paths], weights: averaged.length };
}
