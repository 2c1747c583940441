import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelCheckpoint, Trainer } from '../../../src/index.js';
import { admit, effectiveK, entersTopK, initialTopK, popEvicted } from '../../../src/callbacks/model-checkpoint/top-k.js';

describe('ModelCheckpoint options', () => {
  it('throws at construction on invalid combinations', () => {
    const bad: [ConstructorParameters<typeof ModelCheckpoint>[0], RegExp][] = [
      [{ saveTopK: 3 }, /saveTopK=3 without monitor/],
      [{ saveTopK: -2, monitor: 'm' }, /saveTopK must be an integer >= -1/],
      [{ saveTopK: 1.5, monitor: 'm' }, /saveTopK/],
      [{ everyNTrainSteps: 10, everyNEpochs: 2 }, /mutually exclusive/],
      [{ everyNTrainSteps: 10, trainTimeInterval: '1h' }, /mutually exclusive/],
      [{ everyNEpochs: 1, trainTimeInterval: 1000 }, /mutually exclusive/],
      [{ everyNTrainSteps: -1 }, /everyNTrainSteps must be an integer >= 0/],
      [{ everyNEpochs: -1 }, /everyNEpochs/],
      [{ mode: 'avg' as 'min' }, /mode can be 'min' or 'max'/],
      [{ saveLast: 'yes' as 'link' }, /saveLast/],
      [{ trainTimeInterval: '10 parsecs' }, /trainTimeInterval/],
      [{ minimumInterval: -1 }, /minimumInterval/],
      [{ dirpath: 'a\0b' }, /dirpath must be a path/],
      [{ trainTimeInterval: -1 }, /trainTimeInterval must be a non-negative finite duration/],
      [{ monitr: 'val_loss' } as never, /ModelCheckpoint: unknown option 'monitr'/],
      [{ async: 'no' as unknown as boolean }, /async must be a boolean/],
    ];
    for (const [options, message] of bad) expect(() => new ModelCheckpoint(options)).toThrow(message);
  });

  it('accepts the valid ones, with Lightning defaults', () => {
    for (const k of [-1, 0, 1]) expect(() => new ModelCheckpoint({ saveTopK: k })).not.toThrow();
    expect(() => new ModelCheckpoint({ everyNTrainSteps: 0, everyNEpochs: 3 })).not.toThrow();
    const mc = new ModelCheckpoint();
    expect([mc.saveTopK, mc.mode, mc.saveLast, mc.monitor, mc.everyNEpochs, mc.bestModelPath, mc.lastModelPath]).toEqual([1, 'min', false, undefined, 1, '', '']);
    expect(mc.kthValue).toBe(Infinity);
    expect(new ModelCheckpoint({ mode: 'max', monitor: 'acc' }).kthValue).toBe(-Infinity);
    expect(new ModelCheckpoint({ everyNTrainSteps: 5 }).everyNEpochs).toBe(0);
  });

  it("expands '~' in dirpath to the home folder and takes '' as unset, as Lightning", () => {
    expect(new ModelCheckpoint({ dirpath: '~/ckpts' }).dirpath).toBe(join(homedir(), 'ckpts'));
    expect(new ModelCheckpoint({ dirpath: '~' }).dirpath).toBe(homedir());
    expect(new ModelCheckpoint({ dirpath: 'a/~b' }).dirpath).toBe(resolve('a/~b'));
    expect(new ModelCheckpoint({ dirpath: '' }).dirpath).toBeUndefined();
  });

  it('accepts a trainTimeInterval of 0 (Lightning: a save at every step) as the one active trigger', () => {
    const mc = new ModelCheckpoint({ trainTimeInterval: 0 });
    expect(mc.everyNEpochs).toBe(0);
    expect(mc.stateKey).toContain('"trainTimeInterval":0');
    expect(() => new ModelCheckpoint({ trainTimeInterval: 0, everyNEpochs: 1 })).toThrow(/mutually exclusive/);
  });

  it('gives each configuration its own state key, so several instances can run together', () => {
    const keys = [
      new ModelCheckpoint({ monitor: 'val_loss', saveTopK: 3 }),
      new ModelCheckpoint({ everyNTrainSteps: 100 }),
      new ModelCheckpoint({ trainTimeInterval: '30m' }),
    ].map((c) => c.stateKey);
    expect(keys[0]).toBe('ModelCheckpoint{"monitor":"val_loss","mode":"min","everyNTrainSteps":0,"everyNEpochs":1,"trainTimeInterval":null}');
    expect(keys[2]).toContain('"trainTimeInterval":1800000');
    expect(new Set(keys).size).toBe(3);
    expect(() => new Trainer({ callbacks: [new ModelCheckpoint(), new ModelCheckpoint()] })).toThrow(/share the state key/);
  });
});

describe('top-k ranking', () => {
  it('keeps the k best with strict comparison against the k-th, NaN worst', () => {
    const state = initialTopK('min');
    const save = (path: string, score: number): boolean => {
      if (!entersTopK(state, 2, 'min', score)) return false;
      const k = effectiveK(state, 2);
      popEvicted(state, k);
      admit(state, k, 'min', path, score);
      return true;
    };
    expect(save('a', NaN)).toBe(true); // fewer than k: NaN enters, stored as the worst value
    expect(state.bestKModels).toEqual({ a: Infinity });
    expect(save('b', 0.5)).toBe(true);
    expect(state.kthBestModelPath).toBe('a');
    expect(save('c', NaN)).toBe(false); // full: NaN never displaces a kept checkpoint
    expect(save('d', 0.4)).toBe(true); // evicts a
    expect(state.bestKModels).toEqual({ b: 0.5, d: 0.4 });
    expect(save('e', 0.5)).toBe(false); // equal to the k-th: not strictly better
    expect(save('f', 0.1)).toBe(true);
    expect(state.bestKModels).toEqual({ d: 0.4, f: 0.1 });
    expect([state.bestModelPath, state.bestModelScore, state.kthBestModelPath, state.kthValue, state.currentScore]).toEqual(['f', 0.1, 'd', 0.4, 0.1]);
    expect(entersTopK(state, 2, 'min', undefined)).toBe(false);
  });

  it("mode 'max', saveTopK -1 keeps everything, ties go to the first saved", () => {
    const state = initialTopK('max');
    for (const [path, score] of [['a', 1], ['b', 3], ['c', 3], ['d', 2]] as const) {
      expect(entersTopK(state, -1, 'max', score)).toBe(true);
      const k = effectiveK(state, -1);
      expect(popEvicted(state, k)).toBeUndefined();
      admit(state, k, 'max', path, score);
    }
    expect(Object.keys(state.bestKModels)).toEqual(['a', 'b', 'c', 'd']);
    expect([state.bestModelPath, state.kthBestModelPath]).toEqual(['b', 'a']);
  });
});
