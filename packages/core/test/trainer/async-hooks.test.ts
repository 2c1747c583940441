import { setTimeout as sleep } from 'node:timers/promises';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Callback, Trainer } from '../../src/index.js';
import { HOOKS } from '../helpers/hook-recorder.js';
import { loaders, quiet, TinyRegressor } from '../helpers/tiny-module.js';

/**
 * Every hook returns a promise that resolves only after a timer: a dispatcher that did not await
 * it would start the next hook (or the training step) before `end` is recorded.
 */
class SlowHooks extends Callback {
  constructor(private readonly name: string, log: string[], monitors = false) {
    super();
    Object.defineProperty(this, 'monitorsMetrics', { value: monitors });
    for (const hook of HOOKS) {
      Object.defineProperty(this, hook, {
        value: async () => {
          log.push(`${name} start ${hook}`);
          await sleep(1);
          log.push(`${name} end ${hook}`);
        },
      });
    }
  }
  override get stateKey(): string {
    return this.name;
  }
}

/** Records its own hooks and its training steps, to place them among the callbacks' hooks ('trace': `log` is LightningModule's). */
class LoggingModule extends TinyRegressor {
  constructor(private readonly trace: string[]) {
    super();
  }
  override trainingStep(batch: tf.Tensor[]): tf.Scalar {
    this.trace.push('module trainingStep');
    return super.trainingStep(batch);
  }
  override async onTrainBatchStart(): Promise<void> {
    this.trace.push('module onTrainBatchStart');
  }
  override async onTrainEpochEnd(): Promise<void> {
    this.trace.push('module start onTrainEpochEnd');
    await sleep(1);
    this.trace.push('module end onTrainEpochEnd');
  }
}

describe('async hooks', () => {
  it('are awaited: each hook starts only after the previous one resolved, the step after its hooks', async () => {
    const log: string[] = [];
    const { train, val } = loaders(16, 8, 8);
    const callbacks = [new SlowHooks('plain', log), new SlowHooks('monitor', log, true)];
    await new Trainer({ ...quiet, accelerator: 'cpu', maxEpochs: 2, numSanityValSteps: 1, callbacks }).fit(new LoggingModule(log), train, val);

    // Every start is followed at once by its own end: no two hooks ever overlap.
    const callbackLines = log.filter((line) => !line.startsWith('module'));
    expect(callbackLines.length).toBeGreaterThan(40);
    for (let i = 0; i < callbackLines.length; i += 2) {
      expect(callbackLines[i + 1]).toBe(callbackLines[i]!.replace(' start ', ' end '));
    }
    const slice = (from: string, to: string): string[] => log.slice(log.indexOf(from), log.indexOf(to) + 1);
    // Plain callback, module, then monitoring callback, each finished before the next begins; the step waits for all.
    expect(slice('plain start onTrainBatchStart', 'module trainingStep')).toEqual([
      'plain start onTrainBatchStart', 'plain end onTrainBatchStart',
      'module onTrainBatchStart',
      'monitor start onTrainBatchStart', 'monitor end onTrainBatchStart',
      'module trainingStep',
    ]);
    expect(slice('plain start onTrainEpochEnd', 'monitor end onTrainEpochEnd')).toEqual([
      'plain start onTrainEpochEnd', 'plain end onTrainEpochEnd',
      'module start onTrainEpochEnd', 'module end onTrainEpochEnd',
      'monitor start onTrainEpochEnd', 'monitor end onTrainEpochEnd',
    ]);
    // The fit resolves only after the last hook resolved.
    expect(log.at(-1)).toBe('monitor end teardown');
  });
});
