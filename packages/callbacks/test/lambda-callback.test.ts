import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { resetRandom, type StepOutput } from '@cairn/core';
import { LambdaCallback, type LambdaHooks } from '../src/lambda-callback.js';
import { loaders, testTrainer, TinyRegressor } from './helpers/tiny-module.js';

afterEach(() => resetRandom());

describe('LambdaCallback', () => {
  it('runs each given hook with the same arguments as a Callback method', async () => {
    const seen: string[] = [];
    const losses: number[] = [];
    const hooks: LambdaHooks = {
      onFitStart: () => void seen.push('fitStart'),
      onTrainEpochEnd: (trainer) => void seen.push(`epochEnd ${trainer.currentEpoch}`),
      onTrainBatchEnd: (_trainer, _module, outputs: StepOutput, _batch, batchIdx) => {
        losses.push(outputs.loss!);
        if (batchIdx === 0) seen.push('batch 0');
      },
      onFitEnd: async () => {
        await Promise.resolve();
        seen.push('fitEnd');
      },
    };
    const { train, val } = loaders();
    await testTrainer({ maxEpochs: 2, callbacks: [new LambdaCallback(hooks)] }).fit(new TinyRegressor(), train, val);
    expect(seen).toEqual(['fitStart', 'batch 0', 'epochEnd 0', 'batch 0', 'epochEnd 1', 'fitEnd']);
    expect(losses).toHaveLength(10);
    expect(losses.every((l) => Number.isFinite(l))).toBe(true);
  });

  it('runs the test and predict hooks', async () => {
    const seen: string[] = [];
    const hooks: LambdaHooks = {
      onTestStart: () => void seen.push('testStart'),
      onTestBatchEnd: (_trainer, _module, _outputs, _batch, batchIdx) => void seen.push(`testBatch ${batchIdx}`),
      onTestEnd: (trainer) => void seen.push(`testEnd ${trainer.stage}`),
      onPredictBatchEnd: (_trainer, _module, outputs, _batch, batchIdx) => void seen.push(`predictBatch ${batchIdx} ${(outputs as tf.Tensor).shape[0]}`),
      onPredictEnd: () => void seen.push('predictEnd'),
    };
    class WithSteps extends TinyRegressor {
      override testStep([x, y]: tf.Tensor[]): void {
        this.log('test_loss', tf.losses.meanSquaredError(y!, this.net.predict(x!) as tf.Tensor));
      }
      override forward([x]: tf.Tensor[]): tf.Tensor {
        return this.net.predict(x!) as tf.Tensor;
      }
    }
    const { val } = loaders();
    const trainer = testTrainer({ callbacks: [new LambdaCallback(hooks)] });
    await trainer.test(new WithSteps(), val);
    tf.dispose((await trainer.predict(new WithSteps(), val)) as tf.Tensor[]);
    expect(seen).toEqual(['testStart', 'testBatch 0', 'testBatch 1', 'testEnd test', 'predictBatch 0 8', 'predictBatch 1 8', 'predictEnd']);
  });

  it('refuses a misspelt hook or a non-function', () => {
    expect(() => new LambdaCallback({ onEpochEnd: () => undefined } as LambdaHooks)).toThrow(/'onEpochEnd' is not a hook; hooks are setup, teardown, onFitStart/);
    expect(() => new LambdaCallback({ onFitEnd: 3 } as unknown as LambdaHooks)).toThrow(/must be a function/);
  });

  it('has a state key from its hooks; two alike need a stateKey of their own', () => {
    const a = new LambdaCallback({ onTrainEnd: () => undefined, onFitStart: () => undefined });
    expect(a.stateKey).toBe('LambdaCallback{onFitStart,onTrainEnd}');
    expect(() => testTrainer({ callbacks: [a, new LambdaCallback({ onFitStart: () => undefined, onTrainEnd: () => undefined })] })).toThrow(/share the state key/);
    expect(() => testTrainer({ callbacks: [a, new LambdaCallback({ onFitStart: () => undefined, onTrainEnd: () => undefined }, { stateKey: 'second' })] })).not.toThrow();
  });
});
