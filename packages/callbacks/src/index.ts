// The everyday callbacks. ModelCheckpoint and ProgressBar live in @cairn/core (the Trainer adds
// them by default) and are re-exported here, with all that core exports alongside them, so every
// callback can be imported from one place and is the very class the Trainer checks for.
export { ModelCheckpoint, formatCheckpointName, type ModelCheckpointOptions, type MonitorMode, type Duration, type FormatNameOptions } from '@cairn/core';
export { ProgressBar, type ProgressBarOptions, type ProgressStream } from '@cairn/core';
export { EarlyStopping, type EarlyStoppingOptions } from './early-stopping/early-stopping.js';
export type { StoppingReason } from './early-stopping/criteria.js';
export { CSVLogger, type CSVLoggerOptions } from './csv-logger/csv-logger.js';
export { readMetricsCsv, type MetricsRow } from './csv-logger/read-metrics.js';
export { TerminateOnNaN, type TerminateOnNaNOptions, type NonFiniteValue } from './terminate-on-nan.js';
export { LambdaCallback, type LambdaHooks, type LambdaCallbackOptions } from './lambda-callback.js';
export { Timer, type TimerOptions, type TimerPhase } from './timer/timer.js';
export { RemoteMonitor, type RemoteMonitorOptions } from './remote-monitor.js';
export { LearningRateMonitor, type LearningRateMonitorOptions } from './learning-rate-monitor.js';
export { TensorBoardLogger, type TensorBoardLoggerOptions } from './tensorboard/tensorboard-logger.js';
export { readTensorBoardRun, type TensorBoardRun, type ScalarPoint } from './tensorboard/read-events.js';
export { HistogramMonitor, type HistogramMonitorOptions, type HistogramLogger } from './histogram-monitor.js';
