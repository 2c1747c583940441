import * as tf from '@tensorflow/tfjs';
import type { OptimizerState } from './checkpoint-state.js';
import { shareTensor } from './tensor-memory.js';

/**
 * Private scalar variables that `getWeights()` leaves out but an exact resume needs. Adam's
 * `setWeights` recomputes accBeta1/accBeta2 as beta^(t+1), which differs from the running
 * product kept during training in the last bits, so their exact values are saved.
 */
const PRIVATE_SCALARS: Readonly<Record<string, readonly string[]>> = {
  Adam: ['accBeta1', 'accBeta2'],
};

function privateVariable(optimizer: tf.Optimizer, field: string): tf.Variable {
  const value = (optimizer as unknown as Record<string, unknown>)[field];
  if (!(value instanceof tf.Variable)) throw new Error(`optimizer ${optimizer.getClassName()} has no variable '${field}'`);
  return value;
}

/**
 * Snapshots the optimizer's state (shared buffers, no copy: see shareTensor). Slot names are
 * rewritten from TF.js variable names (which carry per-process counters) to the module's stable
 * weight names.
 */
export async function captureOptimizer(optimizer: tf.Optimizer, stableNames: ReadonlyMap<string, string>): Promise<OptimizerState> {
  const className = optimizer.getClassName();
  let named: Awaited<ReturnType<tf.Optimizer['getWeights']>>;
  try {
    named = await optimizer.getWeights();
  } catch (error) {
    throw new Error(`cannot checkpoint optimizer ${className}: TF.js does not expose its state (${String(error)}); use Adam, SGD, Momentum, RMSProp, Adagrad or Adadelta`);
  }
  const slotNames = named.map(({ name }) => {
    for (const [tfName, stable] of stableNames) {
      if (name.startsWith(`${tfName}/`)) return stable + name.slice(tfName.length);
    }
    return name;
  });
  const privateState: Record<string, number> = {};
  for (const field of PRIVATE_SCALARS[className] ?? []) {
    const variable = privateVariable(optimizer, field);
    privateState[field] = (await variable.data())[0]!;
  }
  return {
    className,
    config: optimizer.getConfig() as Record<string, unknown>,
    slotNames,
    // Slots are the optimizer's live variables: share them. `iter` is a scalar getWeights() made
    // just now, owned by nobody else: the snapshot takes it as it is (sharing it would leak it).
    weights: named.map(({ tensor }) => (tensor instanceof tf.Variable ? shareTensor(tensor) : tensor)),
    privateState,
  };
}

/** Puts a captured state into a freshly configured optimizer of the same class. */
export async function restoreOptimizer(optimizer: tf.Optimizer, state: OptimizerState): Promise<void> {
  const className = optimizer.getClassName();
  if (className !== state.className) {
    throw new Error(`checkpoint holds ${state.className} optimizer state, but configureOptimizers() returned ${className}`);
  }
  await optimizer.setWeights(state.weights.map((tensor, i) => ({ name: state.slotNames[i]!, tensor })));
  for (const [field, value] of Object.entries(state.privateState)) {
    const variable = privateVariable(optimizer, field);
    variable.assign(tf.scalar(value, variable.dtype));
  }
}
