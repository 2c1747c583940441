import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { describeKind, describeValue } from '../../src/options/describe-kind.js';
import { DataLoader, ModelCheckpoint, TensorDataset } from '../../src/index.js';

class EarlyBird {}

describe('describeKind', () => {
  it.each<[string, unknown, string]>([
    ['null', null, 'null'],
    ['undefined', undefined, 'undefined'],
    ['a string', 'abc', 'the string "abc"'],
    ['a long string, cut', 'x'.repeat(100), `the string "${'x'.repeat(57)}..."`],
    ['a number', 2.5, 'number 2.5'],
    ['a boolean', false, 'boolean false'],
    ['a class itself', ModelCheckpoint, 'the class ModelCheckpoint itself (create one with new ModelCheckpoint(...))'],
    ['a function', function makeIt() {}, 'a function named makeIt'],
    ['an arrow function', (() => () => 1)(), 'a function'],
    ['an array', [1, 2], 'an array of 2 items'],
    ['an empty object', {}, 'an empty object'],
    ['a plain object', { a: 1, b: 2, c: 3, d: 4, e: 5, f: 6 }, 'a plain object with keys a, b, c, d, e, ...'],
    ['a prototype-less object', Object.assign(Object.create(null) as object, { k: 1 }), 'a plain object with keys k'],
    ['a class instance', new DataLoader(new TensorDataset(tf.zeros([2, 1]))), 'a DataLoader'],
    ['a class instance starting with a vowel', new EarlyBird(), 'an EarlyBird'],
    ['a URL', new URL('https://example.org'), 'a URL'],
    ['a typed array', new Uint8Array(2), 'a Uint8Array'],
  ])('%s', (_label, value, expected) => {
    expect(describeKind(value)).toBe(expected);
  });

  it('never dumps the fields of an object', () => {
    expect(describeKind({ secret: 'x'.repeat(1000) })).not.toContain('xxx');
  });
});

describe('describeValue', () => {
  it.each<[string, unknown, string]>([
    ['a string, quoted', 'yes', '"yes"'],
    ['NaN as written', Number.NaN, 'NaN'],
    ['null', null, 'null'],
    ['small plain data as JSON', { hours: -1 }, '{"hours":-1}'],
    ['a small array as JSON', [1], '[1]'],
    ['large plain data by its keys', { a: 'x'.repeat(100) }, 'a plain object with keys a'],
    ['a class instance by its class', new EarlyBird(), 'an EarlyBird'],
    ['a ModelCheckpoint by its class, not its fields', new ModelCheckpoint(), 'a ModelCheckpoint'],
  ])('%s', (_label, value, expected) => {
    expect(describeValue(value)).toBe(expected);
  });
});
