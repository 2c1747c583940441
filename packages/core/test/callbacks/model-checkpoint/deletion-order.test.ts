import { basename, join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ModelCheckpoint, readCheckpointFile, resetRandom } from '../../../src/index.js';
import type * as Files from '../../../src/callbacks/model-checkpoint/files.js';
import { EpochLast, fitWith, listFiles, tmp } from './helpers.js';

/** What the folder held, each checkpoint read and verified in full, when a file was about to be deleted. */
interface Deletion {
  deleted: string;
  readable: string[];
}

// vi.mock is hoisted above the imports: the hook it calls has to be hoisted with it.
const spy = vi.hoisted(() => ({ dir: '', deletions: [] as Deletion[] }));

// Wraps the one function ModelCheckpoint deletes with: production code runs unchanged, and the
// folder is looked at just before each deletion.
vi.mock('../../../src/callbacks/model-checkpoint/files.js', async (importOriginal) => {
  const actual = await importOriginal<typeof Files>();
  return {
    ...actual,
    removeFile: async (path: string): Promise<void> => {
      const readable: string[] = [];
      for (const name of await listFiles(spy.dir)) {
        if (!name.endsWith('.ckpt')) continue;
        // A file still being written, or torn, fails here (checksums, sizes).
        const ok = await readCheckpointFile(join(spy.dir, name)).then(() => true, () => false);
        if (ok) readable.push(name);
      }
      spy.deletions.push({ deleted: basename(path), readable });
      await actual.removeFile(path);
    },
  };
});

afterEach(() => {
  resetRandom();
  spy.deletions = [];
});

describe('ModelCheckpoint deletes the file a save replaces only once the new one is durable', () => {
  it('top-k eviction and the previous last file', async () => {
    spy.dir = await tmp();
    await fitWith([new EpochLast({ dirpath: spy.dir, monitor: 'score', saveTopK: 2, saveLast: true, filename: '{epoch}' })], { maxEpochs: 4 }, [0.5, 0.4, 0.3, 0.2]);
    const at = (deleted: string): string[] | undefined => spy.deletions.find((d) => d.deleted === deleted)?.readable;
    // Epoch 2 evicts epoch 0 and epoch 3 evicts epoch 1: each time the newcomer is complete under its name.
    expect(at('epoch=0.ckpt')).toContain('epoch=2.ckpt');
    expect(at('epoch=1.ckpt')).toContain('epoch=3.ckpt');
    for (const epoch of [0, 1, 2]) expect(at(`epoch=${epoch}-last.ckpt`)).toContain(`epoch=${epoch + 1}-last.ckpt`);
    expect(spy.deletions).toHaveLength(5);
  });

  it('without monitor, the previous newest', async () => {
    spy.dir = await tmp();
    await fitWith([new ModelCheckpoint({ dirpath: spy.dir, filename: '{epoch}' })], { maxEpochs: 3 });
    expect(spy.deletions).toEqual([
      { deleted: 'epoch=0.ckpt', readable: ['epoch=0.ckpt', 'epoch=1.ckpt'] },
      { deleted: 'epoch=1.ckpt', readable: ['epoch=1.ckpt', 'epoch=2.ckpt'] },
    ]);
  });
});
