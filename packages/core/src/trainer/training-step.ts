import * as tf from '@tensorflow/tfjs';
import type { HookDispatcher } from '../callbacks/dispatcher.js';
import type { LightningModule } from '../module/lightning-module.js';
import { describeKind } from '../options/describe-kind.js';

/**
 * One optimisation step: the loss and its gradients in one tape, the onBeforeOptimizerStep hook
 * (gradient inspection or clipping), then the update. Returns the loss as a number.
 */
export async function runOptimizerStep<B>(
  module: LightningModule<B>,
  batch: B,
  batchIdx: number,
  optimizer: tf.Optimizer,
  hooks: HookDispatcher,
): Promise<number> {
  const params = module.parameters();
  if (params.length === 0) throw new Error('LightningModule has no trainable weights: hold your models, layers or variables in fields');
  module.training = true;
  let value: tf.Scalar;
  let grads: tf.NamedTensorMap;
  try {
    ({ value, grads } = tf.variableGrads(() => {
      const out = module.trainingStep(batch, batchIdx);
      const loss = out instanceof tf.Tensor ? out : out?.loss;
      if (!(loss instanceof tf.Tensor) || loss.size !== 1) {
        const got = loss instanceof tf.Tensor ? `a tensor of shape [${loss.shape.join(', ')}]` : out instanceof tf.Tensor || out?.loss === undefined ? describeKind(out) : `{ loss: ${describeKind(loss)} }`;
        throw new Error(`trainingStep must return a scalar loss tensor, or { loss } with one, got ${got}`);
      }
      return loss.reshape([]) as tf.Scalar;
    }, params));
  } finally {
    module.training = false;
  }
  try {
    await hooks.call('onBeforeOptimizerStep', module as LightningModule, optimizer, grads);
    optimizer.applyGradients(grads);
  } finally {
    tf.dispose(grads);
  }
  const loss = (await value.data())[0]!;
  value.dispose();
  return loss;
}
