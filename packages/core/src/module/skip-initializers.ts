import * as tf from '@tensorflow/tfjs';

/** The one method of tfjs-layers 4.22's `Layer` that creates weights (all layers and models go through it). */
interface WeightAdding {
  addWeight(...args: unknown[]): unknown;
  fastWeightInitDuringBuild?: boolean;
}

/**
 * Runs `build` (which constructs layers and models) with TF.js's "fast weight init" on for every
 * layer that creates weights meanwhile: their initial values come from the zeros initializer
 * instead of the configured one. For weights that are overwritten at once by loaded values, this
 * skips the expensive part of construction: the random initializers run in JavaScript (about 70 %
 * of building a 100 MB model here), and they draw from `Math.random`, which Cairn's seeded stream
 * replaces, so skipping them also leaves that stream untouched. TF.js uses the same flag in
 * `loadLayersModel`; it is per layer and set after construction there, hence the patch of
 * `Layer.prototype.addWeight` for the duration of `build` (synchronous, so no other code runs in
 * the window). Variables created by hand (`tf.variable(tf.randomNormal(...))`) are not covered.
 */
export function withoutRandomInit<T>(build: () => T): T {
  loadingDepth += 1;
  try {
    return withZeroLayerWeights(build);
  } finally {
    loadingDepth -= 1;
  }
}

/** How many `withoutRandomInit` calls are running (nested constructions count once each). */
let loadingDepth = 0;

/**
 * The value a hand-made weight starts from: `make()` normally, zeros of `shape` while
 * `loadFromCheckpoint` constructs the module (its values are replaced by the checkpoint's at once,
 * so generating random ones would be wasted work and would draw from the seeded random stream).
 * For variables layers do not create: `tf.variable(initialValue([784, 256], () => tf.randomNormal([784, 256])))`.
 */
export function initialValue(shape: readonly number[], make: () => tf.Tensor, dtype: 'float32' | 'int32' | 'bool' = 'float32'): tf.Tensor {
  return loadingDepth > 0 ? tf.zeros([...shape], dtype) : make();
}

function withZeroLayerWeights<T>(build: () => T): T {
  const prototype = tf.layers.Layer.prototype as unknown as WeightAdding;
  const original = prototype.addWeight;
  if (typeof original !== 'function') return build();
  prototype.addWeight = function addWeightWithZeros(this: WeightAdding, ...args: unknown[]): unknown {
    const before = this.fastWeightInitDuringBuild;
    this.fastWeightInitDuringBuild = true;
    try {
      return original.apply(this, args);
    } finally {
      this.fastWeightInitDuringBuild = before;
    }
  };
  try {
    return build();
  } finally {
    prototype.addWeight = original;
  }
}
