import * as tf from '@tensorflow/tfjs';
import { LightningModule, type OptimizerConfig } from '@cairn/core';

/** A batch: standardised features and one-hot labels. */
export type Batch = tf.Tensor[];

/** The iris classifier: 4 features -> hidden ReLU layer with dropout -> 3 species. */
export class IrisClassifier extends LightningModule<Batch> {
  net: tf.Sequential;

  constructor(hparams: { hidden?: number; lr?: number } = {}) {
    super();
    this.saveHyperparameters({ hidden: hparams.hidden ?? 16, lr: hparams.lr ?? 0.02 });
    this.net = tf.sequential({
      layers: [
        tf.layers.dense({ units: this.hparams.hidden as number, inputShape: [4], activation: 'relu' }),
        tf.layers.dropout({ rate: 0.1 }),
        tf.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
  }

  trainingStep([x, y]: Batch): tf.Scalar {
    const probs = this.net.apply(x!, { training: this.training }) as tf.Tensor;
    const loss = tf.losses.softmaxCrossEntropy(y!, probs.log()) as tf.Scalar;
    this.log('train_loss', loss, { onEpoch: true, progBar: true });
    return loss;
  }

  override validationStep([x, y]: Batch): void {
    const probs = this.net.predict(x!) as tf.Tensor;
    this.log('val_loss', tf.losses.softmaxCrossEntropy(y!, probs.log()), { progBar: true });
    this.log('val_acc', tf.metrics.categoricalAccuracy(y!, probs).mean(), { progBar: true });
  }

  override testStep([x, y]: Batch): void {
    const probs = this.net.predict(x!) as tf.Tensor;
    this.log('test_acc', tf.metrics.categoricalAccuracy(y!, probs).mean());
  }

  configureOptimizers(): OptimizerConfig {
    return tf.train.adam(this.hparams.lr as number);
  }
}
