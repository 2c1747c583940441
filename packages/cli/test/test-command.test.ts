import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { decodeJson, readCheckpointMetadata } from '@cairn/core';
import { cairn, FIXTURE, tempDir, writeRunConfig } from './helpers/run-cli.js';

interface TestJson {
  metrics: Record<string, number>;
  ckptPath: string | null;
}

let dir: string;
let config: string;

/** A 3-epoch run by the built binary: epoch=0..2.ckpt (all kept, with their val_loss in best_k_models.yaml) and last.ckpt. */
beforeAll(async () => {
  dir = await tempDir();
  config = await writeRunConfig(dir);
  const fit = await cairn(['fit', '--config', config]);
  expect(fit.code, fit.stderr).toBe(0);
});

describe('cairn test --config', () => {
  it("tests a checkpoint's weights: test_loss on the validation samples equals the val_loss recorded for that file", async () => {
    const scores = parse(await readFile(join(dir, 'ckpts', 'best_k_models.yaml'), 'utf8')) as Record<string, number>;
    const results: number[] = [];
    for (const name of ['epoch=0.ckpt', 'epoch=2.ckpt']) {
      const path = join(dir, 'ckpts', name);
      const run = await cairn(['test', '--config', config, '--ckpt-path', path, '--json']);
      expect(run.code, run.stderr).toBe(0);
      const result = JSON.parse(run.stdout) as TestJson;
      expect(result.ckptPath).toBe(path);
      expect(result.metrics.test_loss).toBeCloseTo(scores[path]!, 6);
      results.push(result.metrics.test_loss!);
    }
    expect(results[0]).not.toBeCloseTo(results[1]!, 4);
    // 'last' resolves as in code; the text output names the file.
    const last = await cairn(['test', '-c', config, '--ckpt-path', 'last']);
    expect(last.code, last.stderr).toBe(0);
    expect(last.stdout).toContain(`tested ${join(dir, 'ckpts', 'last.ckpt')}`);
    expect(last.stdout).toMatch(/metrics: test_loss=\d/);
  });

  it('takes a LightningDataModule subclass whole: its setup runs and its state is in the checkpoints', async () => {
    const own = await tempDir();
    const withModule = await writeRunConfig(own);
    const fit = await cairn(['fit', '-c', withModule, '--data.classPath', `${FIXTURE}#TinyDataModule`, '--trainer.maxEpochs', '1']);
    expect(fit.code, fit.stderr).toBe(0);
    const metadata = await readCheckpointMetadata(join(own, 'ckpts', 'last.ckpt'));
    const saved = Object.entries(metadata).find(([key]) => key.includes('data_module'));
    expect(saved, Object.keys(metadata).join(', ')).toBeDefined();
    expect(decodeJson(saved![1])).toEqual({ stages: ['fit'] });
    const test = await cairn(['test', '-c', withModule, '--data.classPath', `${FIXTURE}#TinyDataModule`, '--ckpt-path', 'last', '--json']);
    expect(test.code, test.stderr).toBe(0);
    expect((JSON.parse(test.stdout) as TestJson).metrics.test_loss).toEqual(expect.any(Number));
  });

  it('fails clearly: no test loader (2), a missing checkpoint (1), --help (0)', async () => {
    const noTest = await cairn(['test', '-c', config, '--data.classPath', `${FIXTURE}#TrainOnlyData`]);
    expect(noTest.code).toBe(2);
    expect(noTest.stderr).toContain('testDataloader()');
    const missing = await cairn(['test', '-c', config, '--ckpt-path', join(dir, 'nope.ckpt')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('nope.ckpt');
    const help = await cairn(['test', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--ckpt-path');
  });
});
