import * as tf from '@tensorflow/tfjs';
import type { HookDispatcher } from '../callbacks/dispatcher.js';
import type { EpochSource } from '../data/batch-source.js';
import type { MetricMap, MetricStore } from '../metrics/metric-store.js';
import type { LightningModule } from '../module/lightning-module.js';
import { batchSizeOf } from './batch-size.js';

/** Which evaluation runs: the sanity check and validation share 'validation'. */
export type EvaluationKind = 'validation' | 'test' | 'predict';

/** The six hooks of one evaluation kind, in the order they run. */
const HOOKS = {
  validation: ['onValidationStart', 'onValidationEpochStart', 'onValidationBatchStart', 'onValidationBatchEnd', 'onValidationEpochEnd', 'onValidationEnd'],
  test: ['onTestStart', 'onTestEpochStart', 'onTestBatchStart', 'onTestBatchEnd', 'onTestEpochEnd', 'onTestEnd'],
  predict: ['onPredictStart', 'onPredictEpochStart', 'onPredictBatchStart', 'onPredictBatchEnd', 'onPredictEpochEnd', 'onPredictEnd'],
} as const;

/** What the evaluation loop needs from the trainer. */
export interface EvaluationContext {
  readonly dispatcher: HookDispatcher;
  readonly metrics: MetricStore;
  /** Tells `log()` the size of the batch being evaluated (its weight in epoch means). */
  setBatchSize(size: number | undefined): void;
  /** Sends the epoch's metrics to the loggers (skipped for the sanity check). */
  publish(metrics: MetricMap): Promise<void>;
}

export interface EvaluationResult {
  /** The epoch metrics published for loggers (validation and test). */
  metrics: MetricMap;
  /** predictStep's output for each batch, in order (predict only). */
  predictions: unknown[];
}

/**
 * The one evaluation loop behind the sanity check, validation, `test` and `predict`: the kind's
 * start hooks, each batch between its batch hooks, the epoch end (where logged values are
 * aggregated, weighted by batch size), the end hook.
 */
export async function runEvaluation<B>(
  kind: EvaluationKind,
  context: EvaluationContext,
  module: LightningModule,
  source: EpochSource<B>,
  numBatches: number,
  epoch: number,
): Promise<EvaluationResult> {
  const [start, epochStart, batchStart, batchEnd, epochEnd, end] = HOOKS[kind];
  const { dispatcher, metrics } = context;
  if (kind === 'test' && module.testStep === undefined) throw new Error(`${module.constructor.name}: trainer.test needs a testStep(batch, batchIdx) method`);
  const predictions: unknown[] = [];
  await dispatcher.call(start, module);
  if (kind !== 'predict') metrics.resetEpoch(kind);
  await dispatcher.call(epochStart, module);
  let batchIdx = 0;
  if (numBatches > 0) {
    for await (const batch of source.batches(epoch, 0)) {
      let kept: tf.Tensor[] = [];
      try {
        await dispatcher.call(batchStart, module, batch, batchIdx);
        context.setBatchSize(batchSizeOf(batch));
        if (kind === 'predict') {
          const output = runPredictStep(module, batch, batchIdx);
          kept = tf.tensor_util.getTensorsInContainer(output as tf.TensorContainer);
          predictions.push(output);
          await dispatcher.call(batchEnd, module, output, batch, batchIdx);
        } else {
          runMetricStep(kind, module, batch, batchIdx);
          await metrics.flush(kind);
          await dispatcher.call(batchEnd, module, {}, batch, batchIdx);
        }
      } finally {
        // A prediction may be (part of) the batch itself: the caller owns it now.
        if (source.ownsBatches) disposeExcept(batch, kept);
      }
      if (++batchIdx >= numBatches) break;
    }
  }
  await dispatcher.call(epochEnd, module);
  const epochMetrics = kind === 'predict' ? {} : metrics.takeForLoggers();
  await context.publish(epochMetrics);
  await dispatcher.call(end, module);
  return { metrics: epochMetrics, predictions };
}

/** validationStep or testStep; whatever it returns is disposed (log() keeps what it needs). */
function runMetricStep(kind: 'validation' | 'test', module: LightningModule, batch: unknown, batchIdx: number): void {
  const step = kind === 'validation' ? module.validationStep : module.testStep;
  tf.dispose(tf.tidy(() => (step?.call(module, batch, batchIdx) ?? []) as tf.TensorContainer));
}

/** predictStep inside a tidy scope: its intermediate tensors go, its outputs stay. */
function runPredictStep(module: LightningModule, batch: unknown, batchIdx: number): unknown {
  let output: unknown;
  tf.tidy(() => {
    output = module.predictStep(batch, batchIdx);
    return output as tf.TensorContainer;
  });
  return output;
}

function disposeExcept(batch: unknown, keep: readonly tf.Tensor[]): void {
  const kept = new Set(keep.map((t) => t.id));
  for (const tensor of tf.tensor_util.getTensorsInContainer(batch as tf.TensorContainer)) if (!kept.has(tensor.id)) tensor.dispose();
}
