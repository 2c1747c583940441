import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import puppeteer, { type Browser } from 'puppeteer-core';
import { parse } from 'yaml';
import { readMetricsCsv } from '@cairn/callbacks';
import { cairn, FIXTURE, tempDir } from './helpers/run-cli.js';

interface ReportJson {
  path: string;
  sources: string[];
  charts: { title: string; series: { tag: string; points: [number, number][] }[] }[];
  checkpoints: { file: string; kinds: string[]; epoch: number; step: number; score: number | null }[];
  resumes: number[];
}

let dir: string;
let logDir: string;
let tbDir: string;
/** The step after the last one the first run logged: where the resumed run's TensorBoard marker must be. */
let resumeStep: number;

/** A run with CSVLogger (logs/run) and TensorBoardLogger (logs/tb), stopped after 3 epochs and resumed to 5 with --ckpt-path last. */
beforeAll(async () => {
  dir = await tempDir();
  const config = join(dir, 'run.yaml');
  await writeFile(config, `model:
  classPath: ${FIXTURE}#TinyModule
  initArgs: { hidden: 4, lr: 0.05 }
data:
  classPath: ${FIXTURE}#TinyData
trainer:
  maxEpochs: 3
  accelerator: cpu
  seed: 7
  logEveryNSteps: 1
  enableProgressBar: false
  defaultRootDir: ${dir}
  callbacks:
    - classPath: ModelCheckpoint
      initArgs: { monitor: val_loss, saveTopK: 2, saveLast: true, filename: '{epoch}' }
    - classPath: LearningRateMonitor
  logger:
    - classPath: CSVLogger
      initArgs: { saveDir: ${join(dir, 'logs')}, name: run }
    - classPath: TensorBoardLogger
      initArgs: { saveDir: ${join(dir, 'logs')}, name: tb }
`);
  const first = await cairn(['fit', '--config', config]);
  expect(first.code, first.stderr).toBe(0);
  logDir = join(dir, 'logs', 'run', 'version_0');
  tbDir = join(dir, 'logs', 'tb', 'version_0');
  resumeStep = Math.max(...(await readMetricsCsv(join(logDir, 'metrics.csv'))).map((row) => row.step)) + 1;
  const resumed = await cairn(['fit', '--config', config, '--ckpt-path', 'last', '--trainer.maxEpochs', '5']);
  expect(resumed.code, resumed.stderr).toBe(0);
});

describe('cairn report', () => {
  it('charts every metric (train and val together), the learning rate, checkpoints by kind and the resume point', async () => {
    const out = join(dir, 'report.html');
    const run = await cairn(['report', logDir, tbDir, '-o', out, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as ReportJson;
    expect(report.path).toBe(out);
    expect(report.charts.map((c) => [c.title, c.series.map((s) => s.tag)])).toEqual([
      ['loss', ['train_loss_epoch', 'train_loss_step', 'val_loss']],
      ['learning rate', ['lr-Adam']],
    ]);
    // Every value of metrics.csv at its step, once (the resumed run continued the file without duplicates).
    const rows = await readMetricsCsv(join(logDir, 'metrics.csv'));
    for (const chart of report.charts) {
      for (const s of chart.series) {
        // One value per step: where a step has two rows with the tag (an lr at the step and at the epoch end), the later one.
        const expected = [...new Map(rows.filter((row) => s.tag in row.values).map((row) => [row.step, row.values[s.tag]])).entries()];
        expect(s.points).toEqual(expected);
      }
    }
    expect(report.charts[0]!.series.find((s) => s.tag === 'val_loss')!.points).toHaveLength(5);
    // Checkpoints as ModelCheckpoint recorded them: the best, the other of the top 2, last.
    const kBest = parse(await readFile(join(logDir, 'checkpoints', 'best_k_models.yaml'), 'utf8')) as Record<string, number>;
    const ranked = Object.entries(kBest).sort(([, a], [, b]) => a - b).map(([path]) => path.split('/').at(-1)!);
    expect(ranked).toHaveLength(2);
    const byFile = new Map(report.checkpoints.map((c) => [c.file.split('/').at(-1)!, c]));
    expect(byFile.get(ranked[0]!)!.kinds).toEqual(['best']);
    expect(byFile.get(ranked[1]!)!.kinds).toEqual(['top-k']);
    expect(byFile.get('last.ckpt')).toMatchObject({ kinds: ['last'], step: 25 });
    expect(byFile.get(ranked[0]!)!.score).toBe(kBest[Object.keys(kBest).find((p) => p.endsWith(ranked[0]!))!]);
    expect(report.checkpoints).toHaveLength(3);
    // The resumed run's TensorBoard restart marker, at the step after the first run's last.
    expect(report.resumes).toEqual([resumeStep]);
    // One file, nothing fetched: uPlot and the data are inside it.
    const html = await readFile(out, 'utf8');
    expect(html).toContain('uPlot');
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/i);
  });

  it('reads a TensorBoard-only folder, and a metrics.csv appended after a resume (step going backwards)', async () => {
    const csvOnly = join(dir, 'appended');
    await mkdir(csvOnly);
    const lines = ['epoch,step,train_loss_step,val_loss'];
    for (let step = 0; step < 10; step += 1) lines.push(`0,${step},${10 - step},${step === 9 ? 5 : ''}`);
    for (let step = 6; step < 12; step += 1) lines.push(`0,${step},${100 + step},`);
    await writeFile(join(csvOnly, 'metrics.csv'), `${lines.join('\n')}\n`);
    const run = await cairn(['report', csvOnly, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as ReportJson;
    expect(report.resumes).toEqual([6]);
    // The resumed run's values replace the first run's from step 6 on.
    expect(report.charts[0]!.series.find((s) => s.tag === 'train_loss_step')!.points).toEqual([[0, 10], [1, 9], [2, 8], [3, 7], [4, 6], [5, 5], [6, 106], [7, 107], [8, 108], [9, 109], [10, 110], [11, 111]]);
    expect(existsSync(join(csvOnly, 'report.html'))).toBe(true);

    // Only the events files (float32 values, as TensorBoard keeps them).
    const tbRun = await cairn(['report', tbDir, '--json', '--checkpoints', join(logDir, 'checkpoints')]);
    expect(tbRun.code, tbRun.stderr).toBe(0);
    const tb = JSON.parse(tbRun.stdout) as ReportJson;
    const full = JSON.parse((await cairn(['report', logDir, tbDir, '--json', '-o', join(dir, 'again.html')])).stdout) as ReportJson;
    expect(tb.resumes).toEqual([resumeStep]);
    expect(tb.charts.map((c) => c.title)).toEqual(full.charts.map((c) => c.title));
    const loss = (r: ReportJson): [number, number][] => r.charts[0]!.series.find((s) => s.tag === 'val_loss')!.points;
    expect(loss(tb)).toEqual(loss(full).map(([step, value]) => [step, Math.fround(value)]));
    expect(tb.checkpoints.map((c) => c.kinds)).toEqual(full.checkpoints.map((c) => c.kinds));
  });

  it('fails clearly: a missing folder (2), a folder without logs (1), --help (0)', async () => {
    const missing = await cairn(['report', join(dir, 'nope')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such folder');
    const empty = join(dir, 'empty');
    await mkdir(empty);
    const none = await cairn(['report', empty]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('neither metrics.csv');
    const help = await cairn(['report', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--out');
  });
});

const INSTALL = fileURLToPath(new URL('../scripts/install-chromium.sh', import.meta.url));

/** Debian's chromium, installed by the package's script; under CI=true its absence fails the test. */
function chromiumPath(): string | undefined {
  const path = execFileSync('bash', [INSTALL], { encoding: 'utf8' }).trim().split('\n').at(-1)!;
  return existsSync(path) ? path : undefined;
}

/** Pixels of a PNG within `tolerance` of an RGB colour. */
function countColour(png: PNG, [r, g, b]: readonly [number, number, number], tolerance = 40): number {
  let count = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    if (Math.abs(png.data[i]! - r) + Math.abs(png.data[i + 1]! - g) + Math.abs(png.data[i + 2]! - b) <= tolerance) count += 1;
  }
  return count;
}

describe('the report in headless Chromium', () => {
  it('loads without console errors or network requests and draws its charts and markers', async (context) => {
    const executablePath = chromiumPath();
    if (executablePath === undefined) {
      if (process.env.CI === 'true') throw new Error('chromium is missing (scripts/install-chromium.sh could not install it)');
      context.skip('chromium is not installed and could not be installed here');
      return;
    }
    const out = join(dir, 'browser.html');
    expect((await cairn(['report', logDir, tbDir, '-o', out])).code).toBe(0);
    let browser: Browser | undefined;
    try {
      browser = await puppeteer.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
      const page = await browser.newPage();
      await page.setViewport({ width: 1100, height: 900, deviceScaleFactor: 1 });
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warn') errors.push(`${message.type()}: ${message.text()}`);
      });
      page.on('pageerror', (error) => errors.push(`pageerror: ${String(error)}`));
      await page.setRequestInterception(true);
      page.on('request', (request) => {
        if (request.url().startsWith('file:')) void request.continue();
        else {
          requests.push(request.url());
          void request.abort();
        }
      });
      await page.goto(`file://${out}`, { waitUntil: 'load' });
      // Errors first: a script that failed never marks the page as drawn.
      const drawn = await page.waitForSelector('body[data-charts-drawn]', { timeout: 15_000 }).catch(() => null);
      expect(errors).toEqual([]);
      expect(drawn).not.toBeNull();
      expect(requests).toEqual([]);
      expect(await page.$eval('body', (body) => body.getAttribute('data-charts-drawn'))).toBe('2');
      expect(await page.$$eval('#checkpoints tbody tr', (rows) => rows.length)).toBe(3);

      // The plot area of each chart (uPlot's overlay covers exactly it) holds drawn curves.
      const overlays = await page.$$('section.chart .u-over');
      expect(overlays).toHaveLength(2);
      const shots: PNG[] = [];
      for (const overlay of overlays) shots.push(PNG.sync.read(Buffer.from(await overlay.screenshot({ type: 'png' }))));
      const [loss, lr] = shots as [PNG, PNG];
      const blue: [number, number, number] = [0x1f, 0x77, 0xb4];
      const orange: [number, number, number] = [0xff, 0x7f, 0x0e];
      const green: [number, number, number] = [0x2c, 0xa0, 0x2c];
      expect(countColour(loss, blue)).toBeGreaterThan(100);
      expect(countColour(loss, orange)).toBeGreaterThan(100);
      expect(countColour(loss, green)).toBeGreaterThan(50);
      expect(countColour(lr, blue)).toBeGreaterThan(100);
      // Markers: best (red), the other top-k (amber), last (grey), the resume (purple).
      expect(countColour(loss, [0xd6, 0x27, 0x28])).toBeGreaterThan(20);
      expect(countColour(loss, [0xe8, 0xa3, 0x3d])).toBeGreaterThan(20);
      expect(countColour(loss, [0x7b, 0x2c, 0xbf])).toBeGreaterThan(20);
    } finally {
      await browser?.close();
    }
  });
});
