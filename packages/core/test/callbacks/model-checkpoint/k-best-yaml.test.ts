import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Callback, ModelCheckpoint, resetRandom, type Trainer } from '../../../src/index.js';
import { fitWith, listFiles, readYaml, tmp } from './helpers.js';

afterEach(() => resetRandom());

describe('best_k_models.yaml', () => {
  it('toYaml(path) writes the ranking where asked, relative paths from the working directory', async () => {
    const dir = await tmp();
    const elsewhere = await tmp();
    // Without a dirpath option there is no default name before fit, but an explicit path works.
    const unplaced = new ModelCheckpoint({ monitor: 'score' });
    await expect(unplaced.toYaml()).rejects.toThrow(/no dirpath yet/);
    expect(await readYaml(await unplaced.toYaml(join(elsewhere, 'before.yaml')))).toEqual({});

    const mc = new ModelCheckpoint({ dirpath: dir, monitor: 'score', saveTopK: 2 });

    await fitWith([mc], { maxEpochs: 3 }, [0.5, 0.3, 0.4]);
    const target = join(elsewhere, 'ranking.yaml');
    expect(await mc.toYaml(relative(process.cwd(), target))).toBe(target);
    expect(await readYaml(target)).toEqual(mc.bestKModels);
    expect(Object.keys(mc.bestKModels)).toHaveLength(2);
    // The copy is the user's: the callback's own file and kBestYamlPath stay as they were.
    expect(mc.kBestYamlPath).toBe(join(dir, 'best_k_models.yaml'));
    expect(await listFiles(dir)).toContain('best_k_models.yaml');
  });

  it('matches bestKModels after every save of a fit, and the folder matches it too', async () => {
    const dir = await tmp();
    // async: false: each save, its deletion and the YAML are done before the next step starts.
    const mc = new ModelCheckpoint({ dirpath: dir, monitor: 'score', saveTopK: 2, filename: '{step}', async: false });
    const seen: { step: number; yaml: Record<string, number>; ranking: Record<string, number>; files: string[] }[] = [];
    // Monitoring callbacks run in the order given: this one looks right after mc's hook.
    class Look extends Callback {
      override readonly monitorsMetrics = true;
      override async onTrainBatchStart(trainer: Trainer): Promise<void> {
        if (Object.keys(mc.bestKModels).length === 0) return;
        const files = (await listFiles(dir)).filter((name) => name.endsWith('.ckpt'));
        seen.push({ step: trainer.globalStep, yaml: await readYaml(join(dir, 'best_k_models.yaml')), ranking: { ...mc.bestKModels }, files });
      }
    }
    // valCheckInterval 2: a validation, so a ranked save, after batches 2 and 4 of each epoch.
    await fitWith([mc, new Look()], { maxEpochs: 3, valCheckInterval: 2 }, [0.5, 0.4, 0.6, 0.3, 0.7, 0.35]);
    for (const { yaml, ranking, files } of seen) {
      expect(yaml).toEqual(ranking);
      expect(files).toEqual(Object.keys(ranking).map((path) => relative(dir, path)).sort());
    }
    // Entries (steps 2, 4), evictions (9, 14) and scores that missed the top 2 (7, 12) all happened.
    expect(new Set(seen.map(({ ranking }) => JSON.stringify(ranking))).size).toBe(4);
    expect(seen.length).toBeGreaterThanOrEqual(12);
    expect(await readYaml(join(dir, 'best_k_models.yaml'))).toEqual(mc.bestKModels);
  });
});
