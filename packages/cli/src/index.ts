// The programmatic side of the `cairn` command.
export { averageCheckpoints, type AverageResult } from './ckpt/average.js';
export { convertCheckpoint, type ConvertResult } from './ckpt/convert.js';
export { CONVERT_DTYPES, type ConvertDtype } from './ckpt/convert-dtypes.js';
export { diffCheckpoints, type CheckpointDiff, type TensorDiff } from './ckpt/diff.js';
export { main } from './program.js';
export { writeRunReport, collectRunReport, type RunReport, type RunReportOptions } from './report/run-report.js';
