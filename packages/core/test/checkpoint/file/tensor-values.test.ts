import { describe, expect, it } from 'vitest';
import { readValues, writeValues } from '../../../src/checkpoint/file/index.js';

const u16 = (bytes: Uint8Array): number[] => Array.from(new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2));

describe('tensor values: dtype <-> numbers', () => {
  it('float16: IEEE half bit patterns, round to nearest even, exact widening', () => {
    // 1 = 0x3c00, -2 = 0xc000, 65504 = max finite 0x7bff, 1/3 rounds to 0x3555, 2^-24 = smallest subnormal 0x0001.
    const bytes = writeValues('F16', [1, -2, 65504, 1 / 3, 2 ** -24, Infinity]);
    expect(u16(bytes)).toEqual([0x3c00, 0xc000, 0x7bff, 0x3555, 0x0001, 0x7c00]);
    expect(Array.from(readValues('F16', bytes))).toEqual([1, -2, 65504, 0.333251953125, 2 ** -24, Infinity]);
  });

  it('bfloat16: the high half of float32, ties to even, NaN stays NaN', () => {
    // 1 + 2^-8 lies halfway between 1 (0x3f80) and 1 + 2^-7 (0x3f81): ties go to the even 0x3f80;
    // 1 + 3 * 2^-8 lies halfway between 0x3f81 and 0x3f82: to 0x3f82.
    const bytes = writeValues('BF16', [1, 1 + 2 ** -8, 1 + 3 * 2 ** -8, -0.5, NaN]);
    expect(u16(bytes)).toEqual([0x3f80, 0x3f80, 0x3f82, 0xbf00, 0x7fc0]);
    const back = Array.from(readValues('BF16', bytes));
    expect(back.slice(0, 4)).toEqual([1, 1, 1 + 2 ** -6, -0.5]);
    expect(back[4]).toBeNaN();
  });

  it('float32 and integers round-trip', () => {
    expect(Array.from(readValues('F32', writeValues('F32', [0.1, -3])))).toEqual([Math.fround(0.1), -3]);
    expect(Array.from(readValues('I32', writeValues('I32', [-7, 2 ** 31 - 1])))).toEqual([-7, 2 ** 31 - 1]);
    expect(Array.from(readValues('I64', writeValues('I64', [-(2 ** 40)])))).toEqual([-(2 ** 40)]);
  });
});
