import { describe, expect, it } from 'vitest';
import { EarlyStopping, type EarlyStoppingOptions } from '../src/early-stopping/early-stopping.js';
import type { StoppingReason } from '../src/early-stopping/criteria.js';
import { asTrainer, fakeTrainer, noModule } from './helpers/fake-trainer.js';

interface Outcome {
  /** Index of the check (= epoch) that asked to stop; -1 when none did. */
  stoppedAt: number;
  reason: StoppingReason;
  waits: number[];
  best: number;
}

/** Feeds one value per epoch through onTrainEpochEnd, as the loop would, until the callback asks to stop. */
function run(options: Omit<EarlyStoppingOptions, 'monitor'>, values: number[]): Outcome {
  const callback = new EarlyStopping({ monitor: 'val_loss', print: () => undefined, ...options });
  const trainer = fakeTrainer();
  callback.setup(asTrainer(trainer), noModule, 'fit');
  const waits: number[] = [];
  for (const [epoch, value] of values.entries()) {
    trainer.currentEpoch = epoch;
    trainer.callbackMetrics = { val_loss: value };
    callback.onTrainEpochEnd(asTrainer(trainer), noModule);
    waits.push(callback.waitCount);
    if (trainer.shouldStop) {
      expect(callback.stoppedEpoch).toBe(epoch);
      return { stoppedAt: epoch, reason: callback.stoppingReason, waits, best: callback.bestScore };
    }
  }
  return { stoppedAt: -1, reason: callback.stoppingReason, waits, best: callback.bestScore };
}

// Expected sequences written from Lightning's documented rules (and Keras's for baseline and
// startFromEpoch): improvement means current < best - minDelta (min) or current > best + minDelta
// (max), strictly; patience counts checks without improvement.
describe('EarlyStopping decisions on recorded sequences', () => {
  it.each<[string, Omit<EarlyStoppingOptions, 'monitor'>, number[], Partial<Outcome>]>([
    ['patience 3: an equal value is no improvement', {}, [1.0, 0.9, 0.95, 0.91, 0.9, 0.5], { stoppedAt: 4, reason: 'patience_exhausted', waits: [0, 0, 1, 2, 3], best: 0.9 }],
    ['improvement resets the count', { patience: 2 }, [1.0, 1.1, 0.9, 1.2, 0.8, 1.0, 1.0], { stoppedAt: 6, waits: [0, 1, 0, 1, 0, 1, 2], best: 0.8 }],
    ['minDelta: must beat best - minDelta', { patience: 2, minDelta: 0.05 }, [1.0, 0.96, 0.94, 0.93, 0.9], { stoppedAt: 4, waits: [0, 1, 0, 1, 2], best: 0.94 }],
    // Lightning keeps the sign (min_delta *= 1 if gt else -1): a negative minDelta lets a value up
    // to |minDelta| worse than the best count as an improvement, and it becomes the best.
    ['negative minDelta (min): a slightly worse value counts', { patience: 2, minDelta: -0.05 }, [1.0, 1.03, 1.1, 1.2], { stoppedAt: 3, waits: [0, 0, 1, 2], best: 1.03 }],
    ['negative minDelta (max): a slightly worse value counts', { mode: 'max', patience: 1, minDelta: -0.1 }, [1.0, 0.95, 0.8], { stoppedAt: 2, waits: [0, 0, 1], best: 0.95 }],
    ['mode max', { mode: 'max', patience: 2 }, [0.1, 0.5, 0.4, 0.6, 0.6, 0.55], { stoppedAt: 5, waits: [0, 0, 1, 0, 1, 2], best: 0.6 }],
    ['mode max: an equal value is no improvement', { mode: 'max', patience: 2 }, [0.1, 0.5, 0.4, 0.5], { stoppedAt: 3, best: 0.5 }],
    ['patience 0 stops on the first non-improvement', { patience: 0 }, [1.0, 0.9, 0.9], { stoppedAt: 2, waits: [0, 0, 1] }],
    ['stopping threshold (min): strictly below', { stoppingThreshold: 0.5 }, [1.0, 0.5, 0.49, 0.1], { stoppedAt: 2, reason: 'stopping_threshold' }],
    ['stopping threshold (max): strictly above', { mode: 'max', stoppingThreshold: 0.9 }, [0.5, 0.9, 0.95], { stoppedAt: 2, reason: 'stopping_threshold' }],
    ['divergence threshold (min): strictly above', { divergenceThreshold: 5 }, [1, 5, 6], { stoppedAt: 2, reason: 'divergence_threshold' }],
    ['divergence threshold (max): strictly below', { mode: 'max', divergenceThreshold: 0.1 }, [0.5, 0.1, 0.05], { stoppedAt: 2, reason: 'divergence_threshold' }],
    ['NaN stops at once with checkFinite', {}, [1.0, Number.NaN], { stoppedAt: 1, reason: 'non_finite_metric', best: 1.0 }],
    ['Infinity stops too', { mode: 'max' }, [1.0, Infinity], { stoppedAt: 1, reason: 'non_finite_metric' }],
    ['without checkFinite NaN is just no improvement', { checkFinite: false, patience: 2 }, [1.0, Number.NaN, Number.NaN], { stoppedAt: 2, reason: 'patience_exhausted', best: 1.0 }],
    ['non-finite is checked before the stopping threshold', { stoppingThreshold: 0.5 }, [-Infinity], { stoppedAt: 0, reason: 'non_finite_metric' }],
    ['stopping threshold is checked before divergence', { stoppingThreshold: 0.5, divergenceThreshold: 0.4 }, [0.45], { stoppedAt: 0, reason: 'stopping_threshold' }],
    ['divergence is checked before improvement', { divergenceThreshold: 2 }, [3], { stoppedAt: 0, reason: 'divergence_threshold' }],
    // Keras baseline: new bests above the baseline do not reset patience; an improvement never stops.
    ['baseline: improvements above it keep counting', { baseline: 0.5, patience: 2 }, [0.8, 0.7, 0.6, 0.65], { stoppedAt: 3, waits: [1, 2, 3, 4], best: 0.6 }],
    ['baseline: beating it resets patience', { baseline: 0.5, patience: 2 }, [0.8, 0.4, 0.45, 0.42, 0.41], { stoppedAt: 3, waits: [1, 0, 1, 2], best: 0.4 }],
    ['no stop when every value improves', { patience: 1 }, [5, 4, 3, 2, 1], { stoppedAt: -1, reason: 'not_stopped', best: 1 }],
  ])('%s', (_label, options, values, expected) => {
    expect(run(options, values)).toMatchObject(expected);
  });

  it('startFromEpoch ignores the warm-up epochs entirely (Keras)', () => {
    const outcome = run({ startFromEpoch: 2, patience: 1 }, [0.1, 0.1, 1.0, 1.1]);
    expect(outcome).toMatchObject({ stoppedAt: 3, waits: [0, 0, 0, 1], best: 1.0 });
  });

  it('explains the stop in words', () => {
    const callback = new EarlyStopping({ monitor: 'val_loss', patience: 1 });
    const trainer = fakeTrainer();
    callback.setup(asTrainer(trainer), noModule, 'fit');
    for (const value of [0.5, 0.6]) {
      trainer.callbackMetrics = { val_loss: value };
      callback.onTrainEpochEnd(asTrainer(trainer), noModule);
    }
    expect(callback.stoppingReasonMessage).toBe('Monitored metric val_loss did not improve in the last 1 records. Best score: 0.500. Signaling Trainer to stop.');
  });
});

describe('EarlyStopping options and skips', () => {
  it('strict: a missing metric throws and lists what is available', () => {
    const callback = new EarlyStopping({ monitor: 'val_acc' });
    const trainer = fakeTrainer({ callbackMetrics: { val_loss: 1, train_loss: 2 } });
    callback.setup(asTrainer(trainer), noModule, 'fit');
    expect(() => callback.onTrainEpochEnd(asTrainer(trainer), noModule)).toThrow(/`val_acc` which is not available.*`val_loss`, `train_loss`/);
  });

  it('strict false: a missing metric skips the check (and says so when verbose)', () => {
    const lines: string[] = [];
    const callback = new EarlyStopping({ monitor: 'val_acc', strict: false, verbose: true, patience: 0, print: (l) => lines.push(l) });
    const trainer = fakeTrainer({ callbackMetrics: { val_loss: 1 } });
    callback.setup(asTrainer(trainer), noModule, 'fit');
    callback.onTrainEpochEnd(asTrainer(trainer), noModule);
    expect(trainer.shouldStop).toBe(false);
    expect(callback.waitCount).toBe(0);
    expect(lines[0]).toMatch(/not available/);
  });

  it('skips the sanity check, validate() and fastDevRun', () => {
    for (const overrides of [{ sanityChecking: true }, { stage: 'validate' as const }, { options: { valCheckInterval: { fraction: 1 }, checkValEveryNEpoch: 1, fastDevRun: 1 } }]) {
      const callback = new EarlyStopping({ monitor: 'val_loss', patience: 0 });
      const trainer = fakeTrainer({ callbackMetrics: { val_loss: Number.NaN }, ...overrides });
      callback.setup(asTrainer(trainer), noModule, 'fit');
      callback.onValidationEnd(asTrainer(trainer), noModule);
      callback.onTrainEpochEnd(asTrainer(trainer), noModule);
      expect(trainer.shouldStop).toBe(false);
    }
  });

  it("checkOnTrainEpochEnd follows Lightning's rule by default", () => {
    const cases: [Parameters<typeof fakeTrainer>[0], boolean | undefined, 'epochEnd' | 'validationEnd'][] = [
      [{}, undefined, 'epochEnd'],
      [{ options: { valCheckInterval: { fraction: 0.5 }, checkValEveryNEpoch: 1, fastDevRun: 0 } }, undefined, 'validationEnd'],
      [{ options: { valCheckInterval: { count: 10 }, checkValEveryNEpoch: 1, fastDevRun: 0 } }, undefined, 'validationEnd'],
      [{ options: { valCheckInterval: { fraction: 1 }, checkValEveryNEpoch: 2, fastDevRun: 0 } }, undefined, 'validationEnd'],
      [{}, false, 'validationEnd'],
      [{ options: { valCheckInterval: { fraction: 0.5 }, checkValEveryNEpoch: 1, fastDevRun: 0 } }, true, 'epochEnd'],
    ];
    for (const [overrides, option, where] of cases) {
      const callback = new EarlyStopping({ monitor: 'val_loss', patience: 0, ...(option === undefined ? {} : { checkOnTrainEpochEnd: option }) });
      const trainer = fakeTrainer({ callbackMetrics: { val_loss: Number.NaN }, ...overrides });
      callback.setup(asTrainer(trainer), noModule, 'fit');
      callback.onValidationEnd(asTrainer(trainer), noModule);
      expect(trainer.shouldStop).toBe(where === 'validationEnd');
      callback.onTrainEpochEnd(asTrainer(trainer), noModule);
      expect(trainer.shouldStop).toBe(true);
    }
  });

  it('rejects bad options naming the option', () => {
    expect(() => new EarlyStopping({ monitor: '' })).toThrow(/monitor/);
    expect(() => new EarlyStopping({ monitor: 'x', mode: 'avg' as 'min' })).toThrow(/mode/);
    expect(() => new EarlyStopping({ monitor: 'x', patience: -1 })).toThrow(/patience/);
    expect(() => new EarlyStopping({ monitor: 'x', patience: 1.5 })).toThrow(/patience/);
    expect(() => new EarlyStopping({ monitor: 'x', minDelta: Number.NaN })).toThrow(/minDelta/);
    expect(() => new EarlyStopping({ monitor: 'x', stoppingThreshold: Infinity })).toThrow(/stoppingThreshold/);
    expect(() => new EarlyStopping({ monitor: 'x', startFromEpoch: -2 })).toThrow(/startFromEpoch/);
  });

  it('has a state key per monitor and mode, and round-trips its state', () => {
    const a = new EarlyStopping({ monitor: 'val_loss' });
    const b = new EarlyStopping({ monitor: 'val_loss', mode: 'max' });
    const c = new EarlyStopping({ monitor: 'val_acc' });
    expect(new Set([a.stateKey, b.stateKey, c.stateKey]).size).toBe(3);
    a.waitCount = 2;
    a.bestScore = 0.25;
    a.stoppedEpoch = 4;
    a.stoppingReason = 'patience_exhausted';
    a.stoppingReasonMessage = 'why';
    const copy = new EarlyStopping({ monitor: 'val_loss' });
    copy.loadStateDict(JSON.parse(JSON.stringify(a.stateDict())) as Record<string, unknown>);
    expect(copy.stateDict()).toEqual(a.stateDict());
  });
});
