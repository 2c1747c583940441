import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ModelCheckpoint, resetRandom, type ModelCheckpointOptions } from '../../../src/index.js';
import { fitWith, listFiles, readYaml, tmp } from './helpers.js';

afterEach(() => resetRandom());

/** Restores a checkpoint's state edited first: how a ranking naming foreign files comes back. */
class EditedRestore extends ModelCheckpoint {
  constructor(options: ModelCheckpointOptions, private readonly edit: (state: Record<string, unknown>) => Record<string, unknown>) {
    super(options);
  }
  override loadStateDict(state: Record<string, unknown>): void {
    super.loadStateDict(this.edit(state));
  }
}

/** A file that is not the callback's to delete, with content to check it was left as it was. */
async function foreignFile(dir: string, name: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `precious ${name}`);
  return path;
}

describe('ModelCheckpoint never deletes a file outside dirpath', () => {
  it('a restored ranking and last path naming outside files: evicted and replaced, they stay', async () => {
    const dir = await tmp();
    const elsewhere = await tmp();
    const options = { dirpath: dir, monitor: 'score', saveTopK: 2, saveLast: true, filename: '{epoch}' } as const;
    await fitWith([new ModelCheckpoint(options)], { maxEpochs: 2 }, [0.5, 0.4]);
    const [ranked, last] = [await foreignFile(elsewhere, 'ranked.ckpt'), await foreignFile(elsewhere, 'last.ckpt')];
    const kept = join(dir, 'epoch=1.ckpt');
    // The outside file is the worst of the two kept: the next improvement evicts it.
    const mc = new EditedRestore(options, (state) => ({ ...state, bestKModels: { [ranked]: 0.9, [kept]: 0.4 }, kthBestModelPath: ranked, kthValue: 0.9, lastModelPath: last }));
    await fitWith([mc], { maxEpochs: 3 }, [0.3], join(dir, 'last.ckpt'));

    expect(Object.keys(mc.bestKModels)).toEqual([kept, join(dir, 'epoch=2.ckpt')]);
    expect(await readFile(ranked, 'utf8')).toBe('precious ranked.ckpt');
    expect(await readFile(last, 'utf8')).toBe('precious last.ckpt');
    expect(await listFiles(elsewhere)).toEqual(['last.ckpt', 'ranked.ckpt']);
    // last.ckpt is the file resumed from (kept), so the new last file took the next version.
    expect(mc.lastModelPath).toBe(join(dir, 'last-v1.ckpt'));
    expect(await readYaml(join(dir, 'best_k_models.yaml'))).toEqual(mc.bestKModels);
  });

  it('resumed into another dirpath without monitor: the restored bestModelPath in the old folder stays', async () => {
    const old = await tmp();
    await fitWith([new ModelCheckpoint({ dirpath: old, saveLast: true })], { maxEpochs: 2 });
    expect(await listFiles(old)).toEqual(['epoch=1-step=10.ckpt', 'last.ckpt']);
    const moved = await tmp();
    const mc = new ModelCheckpoint({ dirpath: moved, print: () => undefined });
    // Only bestModelPath comes back; the next save replaces it as the newest (saveTopK 1).
    await fitWith([mc], { maxEpochs: 3 }, [], join(old, 'last.ckpt'));
    expect(await listFiles(moved)).toEqual(['epoch=2-step=15.ckpt']);
    expect(await listFiles(old)).toEqual(['epoch=1-step=10.ckpt', 'last.ckpt']);
  });
});
