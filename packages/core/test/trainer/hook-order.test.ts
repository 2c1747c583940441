import { describe, expect, it } from 'vitest';
import { Callback, Trainer } from '../../src/index.js';
import { HOOKS, Recorder } from '../helpers/hook-recorder.js';
import { loaders, quiet, TinyRegressor } from '../helpers/tiny-module.js';

const VALIDATION = ['onValidationStart', 'onValidationEpochStart', 'onValidationBatchStart', 'onValidationBatchEnd', 'onValidationEpochEnd', 'onValidationEnd'];
const BATCH = ['onTrainBatchStart', 'onBeforeOptimizerStep', 'onTrainBatchEnd'];
const EPOCH = ['onTrainEpochStart', ...BATCH, ...BATCH, ...VALIDATION, 'onTrainEpochEnd'];

/** The documented order (docs/hooks.md), the same as Lightning's. */
const EXPECTED = [
  'setup', 'onFitStart',
  'onSanityCheckStart', ...VALIDATION, 'onSanityCheckEnd',
  'onTrainStart', ...EPOCH, ...EPOCH, 'onTrainEnd',
  'onFitEnd', 'teardown',
];

describe('hook order', () => {
  it('calls every hook of a 2-epoch run with validation in the documented order', async () => {
    const recorder = new Recorder();
    const { train, val } = loaders(16, 8, 8);
    const trainer = new Trainer({ ...quiet, accelerator: 'cpu', maxEpochs: 2, numSanityValSteps: 1, callbacks: [recorder], seed: 1 });
    const events: string[] = [];
    for (const hook of HOOKS) trainer.events.on(hook, () => void events.push(hook));
    await trainer.fit(new TinyRegressor(), train, val);
    expect(recorder.calls).toEqual(EXPECTED);
    expect(events).toEqual(EXPECTED);
  });

  it('runs the module hook between plain and metric-monitoring callbacks', async () => {
    const order: string[] = [];
    class Plain extends Callback {
      override onTrainEpochEnd(): void { order.push('plain'); }
    }
    class Monitoring extends Callback {
      override readonly monitorsMetrics = true;
      override onTrainEpochEnd(_trainer: Trainer): void { order.push('monitoring'); }
    }
    class Module extends TinyRegressor {
      override onTrainEpochEnd(): void {
        order.push('module');
        this.log('late_metric', 7);
      }
    }
    let seen: number | undefined;
    class Reader extends Monitoring {
      override get stateKey(): string { return 'reader'; }
      override onTrainEpochEnd(trainer: Trainer): void { seen = trainer.callbackMetrics.late_metric; }
    }
    const { train } = loaders(16, 8, 8);
    const trainer = new Trainer({ ...quiet, accelerator: 'cpu', maxEpochs: 1, callbacks: [new Monitoring(), new Plain(), new Reader()] });
    await trainer.fit(new Module(), train);
    expect(order).toEqual(['plain', 'module', 'monitoring']);
    expect(seen).toBe(7);
  });

  it('calls onException with the error, still tears down, and rejects', async () => {
    const recorder = new Recorder();
    class Failing extends TinyRegressor {
      override onTrainBatchEnd(_o: unknown, _b: unknown, batchIdx: number): void {
        if (batchIdx === 1) throw new Error('boom');
      }
    }
    const { train } = loaders(32, 8, 8);
    const trainer = new Trainer({ ...quiet, accelerator: 'cpu', maxEpochs: 1, callbacks: [recorder] });
    await expect(trainer.fit(new Failing(), train)).rejects.toThrow('boom');
    expect(recorder.calls.slice(-2)).toEqual(['onException', 'teardown']);
    expect(trainer.stage).toBeUndefined();
  });
});
