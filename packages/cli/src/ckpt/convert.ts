import { basename } from 'node:path';
import { isFloatDtype, readValues, weightsOnlyMetadata, writeCheckpointFile, writeValues, type SafetensorsDtype, type TensorRecord } from '@cairn/core';
import { CONVERT_DTYPES, type ConvertDtype } from './convert-dtypes.js';
import { readVerified } from './read-verified.js';
import { moduleWeights } from './weights.js';

const FILE_DTYPE: Record<ConvertDtype, SafetensorsDtype> = { float16: 'F16', bfloat16: 'BF16' };

export interface ConvertResult {
  path: string;
  dtype: ConvertDtype;
  bytesBefore: number;
  bytesAfter: number;
}

/**
 * A smaller weights-only copy of a checkpoint: module weights of a float dtype stored as float16
 * or bfloat16 (rounded to nearest even), other weights unchanged, optimizer and training state
 * left out. `Module.loadFromCheckpoint` reads such files (widening the weights to float32).
 */
export async function convertCheckpoint(path: string, dtype: ConvertDtype, outPath: string): Promise<ConvertResult> {
  const target = FILE_DTYPE[dtype];
  if (target === undefined) throw new Error(`unknown dtype ${JSON.stringify(dtype)} (known: ${CONVERT_DTYPES.join(', ')})`);
  const file = await readVerified(path);
  const weights = moduleWeights(file);
  const converted: TensorRecord[] = weights.map((w) => (isFloatDtype(w.dtype) ? { name: w.name, dtype: target, shape: w.shape, data: writeValues(target, readValues(w.dtype, w.data)) } : { ...w }));
  const metadata = weightsOnlyMetadata(path, file.metadata, { convertedFrom: basename(path), dtype });
  const { bytes } = await writeCheckpointFile(outPath, converted, metadata);
  const before = [...file.tensors.values()].reduce((sum, t) => sum + t.data.byteLength, 0);
  return { path: outPath, dtype, bytesBefore: before, bytesAfter: bytes };
}
