import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as core from '@cairn/core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { formatCheckpointName, ModelCheckpoint, ProgressBar, type MonitorMode, type FormatNameOptions, type ModelCheckpointOptions, type ProgressBarOptions, type ProgressStream } from '@cairn/callbacks';
import { loaders, TinyRegressor, testTrainer } from './helpers/tiny-module.js';

describe('ModelCheckpoint from @cairn/callbacks', () => {
  it('is the class the Trainer adds by default, so instanceof works both ways', () => {
    const trainer = testTrainer({ enableCheckpointing: true, defaultRootDir: tmpdir() });
    const added = trainer.callbacks.find((c) => c instanceof core.ModelCheckpoint);
    expect(added).toBeInstanceOf(ModelCheckpoint);
    expect(new ModelCheckpoint()).toBeInstanceOf(core.ModelCheckpoint);
    expect(ModelCheckpoint).toBe(core.ModelCheckpoint);
  });

  it("a user's instance from here stands in for the Trainer's default one", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-cb-mc-'));
    const mine = new ModelCheckpoint({ dirpath: dir, filename: '{epoch}' });
    const trainer = testTrainer({ enableCheckpointing: true, maxEpochs: 1, callbacks: [mine] });
    expect(trainer.callbacks.filter((c) => c instanceof core.ModelCheckpoint)).toEqual([mine]);
    const { train, val } = loaders();
    const result = await trainer.fit(new TinyRegressor(), train, val);
    expect(result.checkpointCallbacks).toEqual([mine]);
    expect(await readdir(dir)).toEqual(['epoch=0.ckpt']);
  });

  it('re-exports the rest of what core exports for it, unchanged', () => {
    expect(formatCheckpointName).toBe(core.formatCheckpointName);
    expect(ProgressBar).toBe(core.ProgressBar);
    expectTypeOf<ModelCheckpointOptions>().toEqualTypeOf<core.ModelCheckpointOptions>();
    expectTypeOf<MonitorMode>().toEqualTypeOf<core.MonitorMode>();
    expectTypeOf<FormatNameOptions>().toEqualTypeOf<core.FormatNameOptions>();
    expectTypeOf<ProgressBarOptions>().toEqualTypeOf<core.ProgressBarOptions>();
    expectTypeOf<ProgressStream>().toEqualTypeOf<core.ProgressStream>();
    const mode: MonitorMode = 'max';
    expect(formatCheckpointName({ epoch: 2, val_loss: 0.123456 }, { filename: `{epoch}-{val_loss:.2f}-${mode}` })).toBe('epoch=2-val_loss=0.12-max.ckpt');
  });
});
