import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { ReduceLROnPlateau } from '../../src/optim/schedulers/reduce-lr-on-plateau.js';
import { ModelCheckpoint } from '../../src/callbacks/model-checkpoint/index.js';
import { Trainer } from '../../src/trainer/trainer.js';
import { rejectUnknownOptions, type OptionKeys } from '../../src/options/known-options.js';

interface Example {
  alpha?: number;
  beta?: string;
}
const KNOWN: OptionKeys<Example> = { alpha: true, beta: true };

describe('rejectUnknownOptions', () => {
  it('accepts known keys and an empty object', () => {
    expect(() => rejectUnknownOptions('Thing', { alpha: 1, beta: 'b' }, KNOWN)).not.toThrow();
    expect(() => rejectUnknownOptions('Thing', {}, KNOWN)).not.toThrow();
  });

  it('names the unknown key, the owner and the options there are', () => {
    expect(() => rejectUnknownOptions('Thing', { alpah: 1 } as Example, KNOWN)).toThrow("Thing: unknown option 'alpah'; the options are alpha, beta");
  });

  it('refuses what is not a plain object', () => {
    for (const bad of [null, 5, 'x', [1]]) expect(() => rejectUnknownOptions('Thing', bad as Example, KNOWN)).toThrow('Thing: options must be an object');
  });

  it('does not take inherited names for options', () => {
    expect(() => rejectUnknownOptions('Thing', { toString: 1 } as Example, KNOWN)).toThrow("unknown option 'toString'");
  });
});

describe("'log' means metrics only", () => {
  it("where text lines go is the 'print' option; 'log' is an unknown key", () => {
    const print = (): void => undefined;
    expect(() => new Trainer({ print })).not.toThrow();
    expect(() => new Trainer({ log: print } as never)).toThrow("unknown option 'log'");
    expect(() => new ModelCheckpoint({ print })).not.toThrow();
    expect(() => new ModelCheckpoint({ log: print } as never)).toThrow("unknown option 'log'");
    expect(() => new ReduceLROnPlateau(tf.train.sgd(0.1), { print })).not.toThrow();
    expect(() => new ReduceLROnPlateau(tf.train.sgd(0.1), { log: print } as never)).toThrow("unknown option 'log'");
  });
});
