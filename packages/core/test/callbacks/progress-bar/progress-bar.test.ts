import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { ProgressBar, resetRandom, Trainer, type ProgressBarOptions, type TrainerOptions } from '../../../src/index.js';
import { CrashAfterStep, SaveAtSteps } from '../../helpers/run-recorder.js';
import { loaders, quiet, regressionData, TinyRegressor } from '../../helpers/tiny-module.js';
import { FakeStream, screen } from './fake-stream.js';

afterEach(() => resetRandom());

/** Fits TinyRegressor (5 training and 2 validation batches per epoch) with a ProgressBar on `stream`. */
async function fit(stream: FakeStream, bar: Omit<ProgressBarOptions, 'stream'> = {}, options: TrainerOptions = {}): Promise<void> {
  const trainer = new Trainer({ ...quiet, accelerator: 'cpu', seed: 5, maxEpochs: 3, ...options, callbacks: [new ProgressBar({ stream, ...bar }), ...(options.callbacks ?? [])] });
  const { train, val } = loaders(40, 16, 8);
  await trainer.fit(new TinyRegressor(), train, val);
}

/** Any C0 control character except the newline, or DEL. */
const hasControl = (text: string): boolean => [...text].some((c) => (c < ' ' && c !== '\n') || c === '\x7f');
const NUMBER = '-?[\\d.]+(?:e[+-]\\d+)?';

describe('ProgressBar, not a terminal', () => {
  it('writes exactly one plain line per epoch, without control characters', async () => {
    const stream = new FakeStream(false);
    await fit(stream);
    expect(hasControl(stream.text)).toBe(false);
    const lines = stream.text.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(3);
    lines.forEach((line, epoch) => {
      expect(line).toMatch(new RegExp(`^Epoch ${epoch + 1}/3: 5 batches, ${NUMBER} it/s, loss=${NUMBER}, train_loss=${NUMBER}$`));
    });
    // One write per line: nothing is drawn during the epoch.
    expect(stream.chunks).toHaveLength(3);
  });

  it("labels epochs without a total when maxEpochs is unknown, and reports a resumed epoch's batches", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-bar-'));
    const path = join(dir, 'mid.ckpt');
    const crashed = new FakeStream(false);
    await expect(fit(crashed, {}, { maxEpochs: -1, maxSteps: 8, callbacks: [new SaveAtSteps(new Set([3]), () => path), new CrashAfterStep(3)] })).rejects.toThrow('simulated crash');
    expect(crashed.text).toBe('');

    const stream = new FakeStream(false);
    const trainer = new Trainer({ ...quiet, accelerator: 'cpu', seed: 5, maxEpochs: -1, maxSteps: 8, callbacks: [new ProgressBar({ stream })] });
    const { train, val } = loaders(40, 16, 8);
    await trainer.fit(new TinyRegressor(), train, val, { ckptPath: path });
    const lines = stream.text.trimEnd().split('\n');
    expect(lines.map((l) => l.split(',')[0])).toEqual(['Epoch 1: 5 batches', 'Epoch 2: 3 batches']);
  });

  it('prints one line for a standalone validate()', async () => {
    const stream = new FakeStream(false);
    const trainer = new Trainer({ ...quiet, accelerator: 'cpu', callbacks: [new ProgressBar({ stream })] });
    await trainer.validate(new TinyRegressor(), loaders(40, 16, 8).val);
    expect(stream.text).toMatch(new RegExp(`^Validation: 2 batches, ${NUMBER} it/s\\n$`));
  });
});

describe('ProgressBar on a terminal', () => {
  it('redraws in place with \\r and erase-line, and leaves one final line per epoch', async () => {
    const stream = new FakeStream(true);
    await fit(stream, { refreshRate: 0 });
    const redraws = stream.chunks.filter((c) => c.startsWith('\r\x1b[2K'));
    // Per epoch: the empty bar, 5 batches, the epoch end; validation: start, 2 batches, the train bar back.
    expect(redraws.length).toBeGreaterThanOrEqual(3 * (1 + 5 + 1 + 3 + 1));
    expect(stream.text).toContain('Sanity check');
    expect(stream.text).toContain('Validation  [');
    expect(stream.text).toMatch(/Epoch 2\/3 {2}\[=+> *\] 2\/5 {2}[\d.]+it\/s {2}ETA \d+:\d\d {2}loss=/);

    const shown = screen(stream.text);
    expect(shown.pop()).toBe('');
    expect(shown).toHaveLength(3);
    shown.forEach((line, epoch) => {
      expect(line).toMatch(new RegExp(`^Epoch ${epoch + 1}/3 {2}\\[=+\\] 5/5 {2}${NUMBER}it/s {2}loss=${NUMBER} train_loss=${NUMBER}$`));
    });
  });

  it('throttles redraws to refreshRate but always draws epoch ends', async () => {
    const eager = new FakeStream(true);
    await fit(eager, { refreshRate: 0 });
    const lazy = new FakeStream(true);
    await fit(lazy, { refreshRate: 60_000 });
    expect(lazy.chunks.length).toBeLessThan(eager.chunks.length);
    // Only forced draws: the empty bar and the full one, never the batches in between.
    expect(eager.text).toMatch(/ [1-4]\/5 /);
    expect(lazy.text).not.toMatch(/ [1-4]\/5 /);
    const shown = screen(lazy.text);
    expect(shown).toHaveLength(screen(eager.text).length);
    expect(shown.filter((line) => / 5\/5 /.test(line))).toHaveLength(3);
  });

  it('with leave false, each epoch is drawn over the previous one', async () => {
    const stream = new FakeStream(true);
    await fit(stream, { refreshRate: 0, leave: false });
    const shown = screen(stream.text);
    expect(shown).toHaveLength(2);
    expect(shown[0]).toMatch(/^Epoch 3\/3 {2}\[=+\] 5\/5/);
  });

  it('cuts lines to the terminal width, so they never wrap', async () => {
    const stream = new FakeStream(true, 40);
    await fit(stream, { refreshRate: 0 }, { maxEpochs: 1 });
    for (const line of stream.text.split(/[\r\n]/)) expect(line.replaceAll('\x1b[2K', '').replaceAll('\x1b[1A', '').length).toBeLessThanOrEqual(39);
  });

  it('shows a count without bar or ETA when the number of batches is unknown', async () => {
    const { x, y } = regressionData(24, 1);
    const batches = [0, 8, 16].map((start) => [x.slice(start, 8), y.slice(start, 8)]);
    const source = { async *[Symbol.asyncIterator]() { yield* batches; } };
    const stream = new FakeStream(true);
    const trainer = new Trainer({ ...quiet, accelerator: 'cpu', maxEpochs: 1, callbacks: [new ProgressBar({ stream, refreshRate: 0 })] });
    await trainer.fit(new TinyRegressor(), source);
    expect(screen(stream.text)[0]).toMatch(new RegExp(`^Epoch 1/1 {2}3 {2}${NUMBER}it/s {2}loss=`));
    expect(stream.text).not.toContain('ETA');
    tf.dispose(batches);
  });

  it('ends its line before an error is reported', async () => {
    const stream = new FakeStream(true);
    await expect(fit(stream, { refreshRate: 0 }, { callbacks: [new CrashAfterStep(2)] })).rejects.toThrow('simulated crash');
    expect(stream.text.endsWith('\n')).toBe(true);
  });
});

describe('ProgressBar options', () => {
  it.each<[string, ProgressBarOptions, string]>([
    ['refreshRate', { refreshRate: -1 }, "ProgressBar: option 'refreshRate' must be a finite number of milliseconds >= 0, got -1"],
    ['leave', { leave: 'yes' as never }, "ProgressBar: option 'leave' must be a boolean"],
    ['stream', { stream: {} as never }, "ProgressBar: option 'stream' must have a write(chunk) method"],
  ])('%s is checked', (_label, options, message) => {
    expect(() => new ProgressBar(options)).toThrow(message);
  });

  it('defaults to process.stderr and picks the mode from isTTY', () => {
    const bar = new ProgressBar();
    expect(bar.stream).toBe(process.stderr);
    expect(bar.isLive).toBe(process.stderr.isTTY === true);
    expect(new ProgressBar({ stream: new FakeStream(true) }).isLive).toBe(true);
  });
});
