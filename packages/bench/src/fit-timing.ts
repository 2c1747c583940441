import * as tf from '@tensorflow/tfjs';
import { Trainer, selectBackend, type Accelerator } from '@cairn/core';
import { disposeSplit, loaderOf, syntheticSplit } from './data.js';
import { seconds } from './measure.js';
import { ClassifierModule } from './models.js';
import { benchTrainerOptions } from './trainer-options.js';

/** A classifier and the data shape it trains on. */
export interface FitWorkload {
  build: () => tf.LayersModel;
  inputShape: number[];
  classes: number;
  batch: number;
}

/** Seconds for `steps` training steps of `workload` through trainer.fit on `accelerator`; model and data are built before the clock starts. */
export async function fitSeconds(workload: FitWorkload, accelerator: Accelerator, steps: number): Promise<number> {
  // Data and model live on the backend under test: built after switching to it.
  await selectBackend(accelerator);
  const train = syntheticSplit(steps * workload.batch, workload.inputShape, workload.classes);
  const module = new ClassifierModule(workload.build());
  const trainer = new Trainer(benchTrainerOptions(accelerator, { maxSteps: steps }));
  try {
    return await seconds(() => trainer.fit(module, loaderOf(train, workload.batch)));
  } finally {
    module.net.dispose();
    trainer.optimizer?.dispose();
    disposeSplit(train);
  }
}
