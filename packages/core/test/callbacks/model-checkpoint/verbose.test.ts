import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ModelCheckpoint, resetRandom } from '../../../src/index.js';
import { fitWith, tmp } from './helpers.js';

afterEach(() => resetRandom());

describe('ModelCheckpoint verbose', () => {
  it("prints Lightning's line for each ranked save and each score that misses the top k", async () => {
    const dir = await tmp();
    const lines: string[] = [];
    const mc = new ModelCheckpoint({ dirpath: dir, monitor: 'score', saveTopK: 2, filename: '{epoch}', verbose: true, print: (line) => lines.push(line) });
    await fitWith([mc], { maxEpochs: 5 }, [0.5, NaN, 0.3, 0.4, 0.6]);
    const saved = (epoch: number, score: string, best: string): string =>
      `Epoch ${epoch}, global step ${(epoch + 1) * 5}: 'score' reached ${score} (best ${best}), saving model to '${join(dir, `epoch=${epoch}.ckpt`)}' as top 2`;
    expect(lines).toEqual([
      saved(0, '0.50000', '0.50000'),
      // NaN ranks as the worst value, and Lightning prints it as that value.
      saved(1, 'inf', '0.50000'),
      // An improvement: the new best.
      saved(2, '0.30000', '0.30000'),
      // Into the top 2 without beating the best.
      saved(3, '0.40000', '0.30000'),
      "Epoch 4, global step 25: 'score' was not in top 2",
    ]);
  });

  it('prints nothing when verbose is off', async () => {
    const lines: string[] = [];
    await fitWith([new ModelCheckpoint({ dirpath: await tmp(), monitor: 'score', saveTopK: 1, print: (line) => lines.push(line) })], { maxEpochs: 2 }, [0.5, 0.6]);
    expect(lines).toEqual([]);
  });
});
