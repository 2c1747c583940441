import { describe, expect, it } from 'vitest';
import { formatDuration, formatMetric, renderBar } from '../../../src/callbacks/progress-bar/format.js';
import { screen } from './fake-stream.js';

describe('progress bar formatting', () => {
  it('durations as m:ss, h:mm:ss from an hour', () => {
    expect([formatDuration(4.4), formatDuration(65), formatDuration(3725), formatDuration(-1)]).toEqual(['0:04', '1:05', '1:02:05', '0:00']);
  });

  it('metrics with three significant digits', () => {
    expect([0.123456, 12.345, 0, 1234.5, 12345.6, 0.000123, -0.5, Number.NaN, Infinity].map(formatMetric)).toEqual([
      '0.123',
      '12.3',
      '0',
      '1230',
      '1.23e+4',
      '1.23e-4',
      '-0.5',
      'nan',
      'inf',
    ]);
  });

  it('bars fill from the left with a head', () => {
    expect([renderBar(0, 10, 10), renderBar(5, 10, 10), renderBar(10, 10, 10), renderBar(1, 3, 6)]).toEqual([
      '[          ]',
      '[=====>    ]',
      '[==========]',
      '[==>   ]',
    ]);
  });

  it('the test terminal interprets redraws', () => {
    expect(screen('abc\r\x1b[2Kxy\nline2\r\x1b[2K\x1b[1A\r\x1b[2Kz\n')).toEqual(['z', '']);
  });
});
