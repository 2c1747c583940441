/**
 * The checkpoint FILE layer: a safetensors-compatible container with a whole-file checksum,
 * atomic durable writes and a validating reader. It moves named byte arrays and string metadata
 * and knows nothing of TF.js or training. Format: docs/checkpoint-format.md.
 */
export { CheckpointError, type CheckpointCheck } from './errors.js';
export { SAFETENSORS_DTYPES, compareForLayout, dtypeSize, isSafetensorsDtype, type SafetensorsDtype } from './dtypes.js';
export { isBorrowedRecord, isLazyRecord, type BorrowedTensorRecord, type DecodedCheckpoint, type LazyTensorRecord, type ReadOptions, type TensorRecord, type TensorSource } from './types.js';
export { FORMAT_NAME, FORMAT_VERSION, MAX_HEADER_LENGTH } from './format.js';
export { writeCheckpointFile, type WriteResult } from './writer.js';
export { readCheckpointFile, readCheckpointMetadata, streamCheckpointFile, type StreamedCheckpoint, type TensorSink } from './reader.js';
export type { HeaderEntry } from './header.js';
export { FLOAT_DTYPES, hasNumericValues, isFloatDtype, readValues, writeValues } from './tensor-values.js';
export { findCheckpointFiles } from './scan.js';
export { cleanupTempFiles, isTempCheckpointName, writeFileAtomically, writeTextFileAtomically } from './atomic-write.js';
export { makeDurableDir, syncFolder } from './durable-dir.js';
