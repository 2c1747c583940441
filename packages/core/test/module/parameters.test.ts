import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LightningModule, resetRandom, Trainer, type OptimizerConfig } from '../../src/index.js';
import { loaders, quiet, TinyRegressor, weightValues } from '../helpers/tiny-module.js';

beforeAll(() => tf.setBackend('cpu'));
afterEach(() => resetRandom());

const dense = (units: number, inputDim: number): tf.layers.Layer => {
  const layer = tf.layers.dense({ units, inputShape: [inputDim] });
  layer.apply(tf.zeros([1, inputDim])); // a layer has weights once built
  return layer;
};
const mlp = (): tf.Sequential => tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] }), tf.layers.dense({ units: 1 })] });

/** A module that does not train: only its fields matter here. */
abstract class Holder extends LightningModule<tf.Tensor[]> {
  trainingStep(_batch: tf.Tensor[]): tf.Scalar {
    return tf.scalar(0);
  }
  configureOptimizers(): OptimizerConfig {
    return tf.train.sgd(0.1);
  }
}

/** One field of every kind discovery supports, and some it must pass over. */
class EveryKind extends Holder {
  net = mlp();
  head = dense(1, 2);
  scale = tf.variable(tf.ones([2]));
  towers = [mlp(), mlp()];
  heads = { first: dense(1, 2), second: dense(1, 2) };
  encoder = new TinyRegressor({ hidden: 2 });
  // Not weights: a plain tensor, an optimizer (which holds slot variables once used), plain values.
  constant = tf.ones([2]);
  optimizer = usedOptimizer();
  label = 'every kind';
  steps = 3;
}

function usedOptimizer(): tf.Optimizer {
  const optimizer = tf.train.adam(0.1);
  const v = tf.variable(tf.ones([2]));
  optimizer.minimize(() => v.square().sum() as tf.Scalar, false, [v]);
  return optimizer;
}

const EVERY_KIND_NAMES = [
  'net.0.kernel', 'net.0.bias', 'net.1.kernel', 'net.1.bias',
  'head.kernel', 'head.bias',
  'scale',
  'towers.0.0.kernel', 'towers.0.0.bias', 'towers.0.1.kernel', 'towers.0.1.bias',
  'towers.1.0.kernel', 'towers.1.0.bias', 'towers.1.1.kernel', 'towers.1.1.bias',
  'heads.first.kernel', 'heads.first.bias', 'heads.second.kernel', 'heads.second.bias',
  // A nested module is walked like the owner: its trainer, hparams and training fields are not.
  'encoder.net.0.kernel', 'encoder.net.0.bias', 'encoder.net.2.kernel', 'encoder.net.2.bias',
];

const names = (module: LightningModule): string[] => module.namedWeights().map((w) => w.name);

describe('parameter discovery', () => {
  it('finds LayersModels, Layers, Variables, arrays, plain objects and nested modules, in field order', () => {
    expect(names(new EveryKind())).toEqual(EVERY_KIND_NAMES);
  });

  it('gives two instances the same names although TF.js names their variables differently', () => {
    const a = new EveryKind().namedWeights();
    const b = new EveryKind().namedWeights();
    expect(b.map((w) => w.name)).toEqual(a.map((w) => w.name));
    // TF.js numbers layers per process (dense_Dense1, dense_Dense7, ...): the stable names are Cairn's.
    expect(b.map((w) => w.variable.name)).not.toEqual(a.map((w) => w.variable.name));
  });

  it('numbers the weights of a model nested inside a model, whose last name segments repeat', () => {
    class Nested extends Holder {
      net = tf.sequential({ layers: [mlp(), tf.layers.dense({ units: 1 })] });
    }
    expect(names(new Nested())).toEqual(['net.0.0.kernel', 'net.0.1.bias', 'net.0.2.kernel', 'net.0.3.bias', 'net.1.kernel', 'net.1.bias']);
  });

  it('names a layer held by two fields once, under the first field', () => {
    const shared = dense(1, 2);
    class Shared extends Holder {
      first = shared;
      again = { layer: shared };
    }
    expect(names(new Shared())).toEqual(['first.kernel', 'first.bias']);
  });

  it('ends at cycles between plain objects and modules', () => {
    class Cyclic extends Holder {
      me = this;
      ring: Record<string, unknown> = { layer: dense(1, 2) };
      constructor() {
        super();
        this.ring.self = this.ring;
        this.ring.owner = this;
      }
    }
    expect(names(new Cyclic())).toEqual(['ring.layer.kernel', 'ring.layer.bias']);
  });

  it('refuses two different weights under one name', () => {
    class Clash extends Holder {
      a = { b: dense(1, 2) };
      'a.b' = dense(1, 2);
    }
    expect(() => new Clash().namedWeights()).toThrow("two different weights are both named 'a.b.kernel'");
  });
});

describe('non-trainable weights', () => {
  /** A frozen variable, a frozen layer and batch normalisation's moving statistics. */
  class Frozen extends Holder {
    net = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] }), tf.layers.batchNormalization(), tf.layers.dense({ units: 1 })] });
    frozenLayer = dense(3, 3);
    offset = tf.variable(tf.ones([1]), false);
    constructor() {
      super();
      this.frozenLayer.trainable = false;
    }
    override trainingStep([x, y]: tf.Tensor[]): tf.Scalar {
      const hidden = this.frozenLayer.apply(x!) as tf.Tensor;
      const prediction = (this.net.apply(hidden, { training: this.training }) as tf.Tensor).add(this.offset);
      return tf.losses.meanSquaredError(y!, prediction) as tf.Scalar;
    }
  }

  const frozenNames = ['net.1.moving_mean', 'net.1.moving_variance', 'frozenLayer.kernel', 'frozenLayer.bias', 'offset'];

  it('are among namedWeights (what checkpoints save), marked trainable: false, and not among parameters()', () => {
    const module = new Frozen();
    const weights = module.namedWeights();
    expect(weights.filter((w) => !w.trainable).map((w) => w.name)).toEqual(frozenNames);
    const trainable = weights.filter((w) => w.trainable);
    expect(trainable.map((w) => w.name)).toEqual(['net.0.kernel', 'net.0.bias', 'net.1.gamma', 'net.1.beta', 'net.2.kernel', 'net.2.bias']);
    expect(module.parameters()).toEqual(trainable.map((w) => w.variable));
  });

  it('are left alone by the optimizer in a fit, while the trainable ones change', async () => {
    const module = new Frozen();
    const before = weightValues(module);
    const { train } = loaders(16, 8, 8);
    await new Trainer({ ...quiet, accelerator: 'cpu', maxEpochs: 1 }).fit(module, train);
    const after = weightValues(module);
    for (const name of ['frozenLayer.kernel', 'frozenLayer.bias', 'offset']) expect(after[name], name).toEqual(before[name]);
    for (const name of ['net.0.kernel', 'net.2.kernel']) expect(after[name], name).not.toEqual(before[name]);
  });
});

describe('weights found inside containers are trained', () => {
  it('a module whose only weights sit in a plain object and a nested module trains them', async () => {
    class Containers extends LightningModule<tf.Tensor[]> {
      parts = { first: dense(2, 3) };
      inner = new TinyRegressor({ hidden: 2 });
      trainingStep([x, y]: tf.Tensor[]): tf.Scalar {
        const hidden = this.parts.first.apply(x!) as tf.Tensor;
        return tf.losses.meanSquaredError(y!, hidden.sum(1, true).add(this.inner.net.apply(x!) as tf.Tensor)) as tf.Scalar;
      }
      configureOptimizers(): OptimizerConfig {
        return tf.train.sgd(0.1);
      }
    }
    const module = new Containers();
    const before = weightValues(module);
    const { train } = loaders(16, 8, 8);
    await new Trainer({ ...quiet, accelerator: 'cpu', maxEpochs: 1 }).fit(module, train);
    const after = weightValues(module);
    expect(Object.keys(after)).toEqual(['parts.first.kernel', 'parts.first.bias', 'inner.net.0.kernel', 'inner.net.0.bias', 'inner.net.2.kernel', 'inner.net.2.bias']);
    for (const name of ['parts.first.kernel', 'inner.net.0.kernel']) expect(after[name], name).not.toEqual(before[name]);
  });
});
