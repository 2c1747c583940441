import { describe, expect, it } from 'vitest';
import { formatCheckpointName, ModelCheckpoint } from '../../../src/index.js';
import { formatNumber } from '../../../src/callbacks/model-checkpoint/index.js';

const name = (filename: string, metrics: Record<string, number>, extra: { ver?: number; prefix?: string; autoInsertMetricName?: boolean } = {}): string =>
  formatCheckpointName(metrics, { filename, ...extra });

describe('formatCheckpointName (Lightning documented examples)', () => {
  it('renders the examples of Lightning 2.6', () => {
    expect(name('{epoch}', { epoch: 0 })).toBe('epoch=0.ckpt');
    expect(name('{epoch:03d}', { epoch: 5 })).toBe('epoch=005.ckpt');
    expect(name('{epoch}-{val_loss:.2f}', { epoch: 2, val_loss: 0.123456 })).toBe('epoch=2-val_loss=0.12.ckpt');
    expect(name('{epoch:d}', { epoch: 2, val_loss: 0.12 })).toBe('epoch=2.ckpt');
    expect(name('epoch={epoch}-validation_loss={val_loss:.2f}', { epoch: 2, val_loss: 0.123456 }, { autoInsertMetricName: false })).toBe('epoch=2-validation_loss=0.12.ckpt');
    expect(name('{missing:d}', {})).toBe('missing=0.ckpt');
    expect(name('{step}', { step: 0 })).toBe('step=0.ckpt');
    expect(name('{epoch}', { epoch: 3 }, { ver: 1 })).toBe('epoch=3-v1.ckpt');
  });

  it('defaults to {epoch}-{step}, joins dirpath, prefix and version, and makes sub-folders for /', () => {
    expect(formatCheckpointName({ epoch: 1, step: 10 })).toBe('epoch=1-step=10.ckpt');
    expect(formatCheckpointName({ epoch: 1, step: 10 }, { dirpath: '/ckpts', prefix: 'exception', ver: 2 })).toBe('/ckpts/exception-epoch=1-step=10-v2.ckpt');
    expect(name('{train/loss:.1f}', { 'train/loss': 0.25 })).toBe('train/loss=0.2.ckpt');
    expect(name('{epoch}_{epoch_test}', { epoch: 1, epoch_test: 2 })).toBe('epoch=1_epoch_test=2.ckpt');
    expect(name('{{literal}}-{epoch}', { epoch: 1 })).toBe('{literal}-epoch=1.ckpt');
  });

  it('formats numbers as Python format specs do', () => {
    const cases: [number, string, string][] = [
      [3, '', '3'], [2.5, '', '2.5'], [1e-5, '', '1e-05'], [0.5, '.2', '0.5'], [3, '.2', '3.0'], [1234, '.2', '1.2e+03'],
      [0.1, '.3e', '1.000e-01'], [0.000012345, 'g', '1.2345e-05'], [123456789, 'g', '1.23457e+08'], [0, 'g', '0'],
      [1.5, '08.3f', '0001.500'], [1234567, ',.1f', '1,234,567.0'], [0.25, '%', '25.000000%'], [NaN, '.2f', 'nan'],
      [Infinity, '.2F', 'INF'], [-Infinity, '.3f', '-inf'], [12, 'x', 'c'], [12, '#x', '0xc'], [-3.14159, '+.2f', '-3.14'],
      [3, '+d', '+3'], [3, '^7d', '   3   '], [3, '*<5d', '3****'], [100, '.0f', '100'], [255, '_b', '1111_1111'], [-0, '.1f', '-0.0'],
    ];
    for (const [value, spec, expected] of cases) expect([value, spec, formatNumber(value, spec)]).toEqual([value, spec, expected]);
  });

  it('refuses a non-integer with an integer code, naming the field', () => {
    expect(() => name('{val_loss:d}', { val_loss: 0.5 })).toThrow(/cannot format '\{val_loss:d\}'/);
    expect(() => name('{val_loss:q}', { val_loss: 0.5 })).toThrow(/invalid format spec/);
  });

  it('exposes Lightning class constants, and CHECKPOINT_NAME_LAST is a template', () => {
    expect([ModelCheckpoint.CHECKPOINT_JOIN_CHAR, ModelCheckpoint.CHECKPOINT_EQUALS_CHAR, ModelCheckpoint.CHECKPOINT_NAME_LAST, ModelCheckpoint.FILE_EXTENSION, ModelCheckpoint.STARTING_VERSION]).toEqual(['-', '=', 'last', '.ckpt', 1]);
    const mc = new ModelCheckpoint({ dirpath: '/c', filename: '{epoch}-{score:.1f}' });
    expect(mc.formatCheckpointName({ epoch: 4, score: 0.25 })).toBe('/c/epoch=4-score=0.2.ckpt');
    expect(mc.formatCheckpointName({ epoch: 4 }, { filename: '{epoch}-last', ver: 1 })).toBe('/c/epoch=4-last-v1.ckpt');
    expect(new ModelCheckpoint({ filename: '{epoch}', autoInsertMetricName: false }).formatCheckpointName({ epoch: 4 })).toBe('4.ckpt');
  });
});

describe('formatNumber rounding', () => {
  it('rounds exact ties to even as Python does', () => {
    expect(formatNumber(0.25, '.1f')).toBe('0.2');
    expect(formatNumber(0.35, '.1f')).toBe('0.3'); // 0.35 is 0.34999... in binary
    expect(formatNumber(0.125, '.2f')).toBe('0.12');
    expect(formatNumber(0.375, '.2f')).toBe('0.38');
    expect(formatNumber(2.5, '.0f')).toBe('2');
    expect(formatNumber(3.5, '.0f')).toBe('4');
    expect(formatNumber(1.25, '.1e')).toBe('1.2e+00');
    expect(formatNumber(0.125, '.2g')).toBe('0.12');
  });
});

describe('names stay inside dirpath', () => {
  it("refuses a template or metric name that leaves dirpath or holds NUL", () => {
    const mc = new ModelCheckpoint({ dirpath: '/ckpt', filename: '{epoch}' });
    expect(() => mc.formatCheckpointName({ epoch: 1 }, { filename: '../{epoch}' })).toThrow(`ModelCheckpoint: filename "../{epoch}" renders "/epoch=1.ckpt", outside dirpath "/ckpt"`);
    expect(() => mc.formatCheckpointName({ '../../x': 1 }, { filename: '{../../x}' })).toThrow(/filename "\{\.\.\/\.\.\/x\}" renders .*, outside dirpath/);
    expect(() => mc.formatCheckpointName({ epoch: 1 }, { filename: 'a\0{epoch}' })).toThrow(/ModelCheckpoint: filename .*NUL/);
    expect(mc.formatCheckpointName({ epoch: 1 }, { filename: '/abs/{epoch}' })).toBe('/ckpt/abs/epoch=1.ckpt');
    expect(mc.formatCheckpointName({ epoch: 1 }, { filename: 'sub/../{epoch}' })).toBe('/ckpt/epoch=1.ckpt');
    // Only '..' as a whole path segment leaves: a name that starts with two dots stays inside.
    expect(mc.formatCheckpointName({ epoch: 1 }, { filename: '..{epoch}' })).toBe('/ckpt/..epoch=1.ckpt');
    expect(mc.formatCheckpointName({ epoch: 1 }, { filename: '../ckpt/{epoch}' })).toBe('/ckpt/epoch=1.ckpt');
  });

  it('refuses at construction a template with a NUL byte, or whose fixed part leaves dirpath', () => {
    expect(() => new ModelCheckpoint({ filename: 'a\0b-{epoch}' })).toThrow(/^ModelCheckpoint: filename must not contain a NUL byte/);
    expect(() => new ModelCheckpoint({ dirpath: '/ckpt/run', filename: '../victim' })).toThrow(
      `ModelCheckpoint: filename "../victim" renders "/ckpt/victim.ckpt", outside dirpath "/ckpt/run"`,
    );
    expect(() => new ModelCheckpoint({ dirpath: '/ckpt/run', filename: '../../{epoch}' })).toThrow(/outside dirpath/);
    expect(() => new ModelCheckpoint({ dirpath: '/ckpt/run', filename: '..' })).not.toThrow(); // renders '...ckpt'
    expect(() => new ModelCheckpoint({ dirpath: '/ckpt/run', filename: '..{epoch}' })).not.toThrow();
    expect(() => new ModelCheckpoint({ dirpath: '/ckpt/run', filename: '{../../m}' })).not.toThrow(); // checked once the metric name is known
  });
});
