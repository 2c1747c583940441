import { describe, expect, it } from 'vitest';
import { parseDuration, type Duration } from '../../src/options/duration.js';

describe('parseDuration: one grammar for every duration option', () => {
  it.each<[Duration, number]>([
    [1500, 1500],
    [0, 0],
    ['90s', 90_000],
    ['15m', 900_000],
    ['2h', 7_200_000],
    ['1h30m', 5_400_000],
    ['1h 30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['250ms', 250],
    ['1d', 86_400_000],
    ['0s', 0],
    ['00:12:00:00', 43_200_000],
    ['01:00:00:01', 86_401_000],
    [{ hours: 2 }, 7_200_000],
    [{ days: 1, minutes: 1, seconds: 1, milliseconds: 1 }, 86_461_001],
  ])('%j is %i ms', (input, ms) => {
    expect(parseDuration('Owner', 'opt', input)).toBe(ms);
  });

  it.each<[unknown, string]>([
    ['', "must be milliseconds, a 'DD:HH:MM:SS' string, a duration such as '90s'"],
    ['10', "a 'DD:HH:MM:SS' string"],
    ['5 minutes', "a 'DD:HH:MM:SS' string"],
    ['12:00:00', "a 'DD:HH:MM:SS' string"],
    ['00:1:00:00', "a 'DD:HH:MM:SS' string"],
    ['-1s', "a 'DD:HH:MM:SS' string"],
    [true, 'got true'],
    [null, 'got null'],
    [[1], 'got [1]'],
    [-5, 'must be a non-negative finite duration, got -5'],
    [Number.NaN, 'must be a non-negative finite duration, got NaN'],
    [Infinity, 'must be a non-negative finite duration, got Infinity'],
    [{ hours: -1 }, 'must be a non-negative finite duration'],
    [{ weeks: 1 }, 'has unknown parts weeks; use days, hours, minutes, seconds, milliseconds'],
    [{ hours: '2' }, 'part hours must be a number'],
  ])('refuses %j, naming owner and option', (input, words) => {
    expect(() => parseDuration('Owner', 'opt', input as Duration)).toThrow(`Owner: opt `);
    expect(() => parseDuration('Owner', 'opt', input as Duration)).toThrow(words);
  });
});
