import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { cairn, FIXTURE, tempDir, writeRunConfig } from './helpers/run-cli.js';

describe('cairn fit --config', () => {
  it('trains the configured module and data, writes checkpoints and logs, reports JSON', async () => {
    const dir = await tempDir();
    const config = await writeRunConfig(dir);
    const run = await cairn(['fit', '--config', config, '--trainer.maxEpochs', '2', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { epochs: number; globalStep: number; bestModelPath: string; checkpointingFiles: string[]; logDir: string };
    expect(result.epochs).toBe(2);
    expect(result.globalStep).toBe(10);
    expect((await readdir(join(dir, 'ckpts'))).sort()).toEqual(['best_k_models.yaml', 'epoch=0.ckpt', 'epoch=1.ckpt', 'last.ckpt']);
    expect(existsSync(join(result.logDir, 'metrics.csv'))).toBe(true);
  });

  it('--ckpt-path last resumes where the previous run stopped', async () => {
    const dir = await tempDir();
    const config = await writeRunConfig(dir);
    expect((await cairn(['fit', '-c', config, '--trainer.maxEpochs', '1'])).code).toBe(0);
    const resumed = await cairn(['fit', '-c', config, '--ckpt-path', 'last', '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const result = JSON.parse(resumed.stdout) as { epochs: number; globalStep: number; resumedFrom: string };
    expect(result.resumedFrom).toBe(join(dir, 'ckpts', 'last.ckpt'));
    expect(result.epochs).toBe(3);
    expect(result.globalStep).toBe(15);
  });

  it('--print-config prints the resolved config with overrides applied, and runs nothing', async () => {
    const dir = await tempDir();
    const config = await writeRunConfig(dir);
    const run = await cairn(['fit', '--config', config, '--print-config', '--trainer.maxEpochs=9', '--model.initArgs.hidden', '16', '--trainer.callbacks.0.initArgs.saveTopK', '2']);
    expect(run.code, run.stderr).toBe(0);
    const printed = parse(run.stdout) as { model: { classPath: string; initArgs: Record<string, unknown> }; trainer: { maxEpochs: number; callbacks: { initArgs: Record<string, unknown> }[] } };
    expect(printed.trainer.maxEpochs).toBe(9);
    expect(printed.model).toEqual({ classPath: `${FIXTURE}#TinyModule`, initArgs: { hidden: 16, lr: 0.05 } });
    expect(printed.trainer.callbacks[0]!.initArgs.saveTopK).toBe(2);
    expect(existsSync(join(dir, 'ckpts'))).toBe(false);
  });

  it('refuses bad configs with a clear message and exit code 2', async () => {
    const dir = await tempDir();
    const config = await writeRunConfig(dir);
    const cases: [string[], string][] = [
      [['fit', '--config', join(dir, 'missing.yaml')], 'cannot read'],
      [['fit', '--config', config, '--trainer.maxEpoch', '5'], "option 'maxEpoch'"],
      [['fit', '--config', config, '--modle.initArgs.x', '1'], "unknown key 'modle'"],
      [['fit', '--config', config, '--model.classPath', `${FIXTURE}#Nope`], "has no export 'Nope'"],
      [['fit', '--config', config, '--trainer.callbacks.0.classPath', 'NoSuchCallback'], "no class 'NoSuchCallback'"],
      [['fit', '--config', config, '--trainer.callbacks.0.initArgs.saveTopK', '-5'], 'trainer.callbacks[0] (ModelCheckpoint)'],
      [['fit', '--config', config, '--trainer.maxEpochs'], 'needs a value'],
      [['fit'], "required option '-c, --config <file>'"],
    ];
    const runs = await Promise.all(cases.map(([args]) => cairn(args)));
    cases.forEach(([args, message], i) => {
      expect(runs[i]!.code, args.join(' ')).toBe(2);
      expect(runs[i]!.stderr, args.join(' ')).toContain(message);
    });
  });

  it('--help describes the command', async () => {
    const run = await cairn(['fit', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('--print-config');
    expect(run.stdout).toContain('--ckpt-path');
  });
});
