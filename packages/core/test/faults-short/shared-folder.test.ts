import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTrainingChild, type ChildResult } from '../faults/lib/child.js';
import { inspectCheckpointFolder } from '../faults/lib/folder.js';

describe('two trainers, one checkpoint folder', () => {
  it('the second is refused with a clear error and touches nothing; the first finishes as if alone', async () => {
    const reference = await mkdtemp(join(tmpdir(), 'cairn-shared-ref-'));
    const dir = await mkdtemp(join(tmpdir(), 'cairn-shared-'));
    try {
      // The frozen ballast does not influence training, so a small one gives the same final weights quickly.
      const alone = await runTrainingChild(reference, { scenario: 'large', ballastMb: 1 });
      expect(alone.done).toBe(true);
      let second: Promise<ChildResult> | undefined;
      // The second trainer starts once the first holds the folder (it locks it before 'ready');
      // 48 MB saves keep the first busy for seconds, well past the second's start-up.
      const first = await runTrainingChild(dir, {
        scenario: 'large',
        ballastMb: 48,
        onLine(line) {
          if (second === undefined && line.startsWith('ready ')) second = runTrainingChild(dir, { scenario: 'large', ballastMb: 48 });
        },
      });
      const refused = await second!;
      expect(first.done, first.stderr).toBe(true);
      expect(refused.failed?.message).toMatch(/is in use by another trainer \(pid \d+/u);
      expect(refused.steps.size).toBe(0);
      expect(await readFile(join(dir, 'final.json'), 'utf8')).toBe(await readFile(join(reference, 'final.json'), 'utf8'));
      const folder = await inspectCheckpointFolder(dir);
      expect({ invalid: folder.invalid, temps: folder.temps, unexpected: folder.unexpected }).toEqual({ invalid: [], temps: [], unexpected: [] });
    } finally {
      await Promise.all([reference, dir].map((d) => rm(d, { recursive: true, force: true })));
    }
  }, 90_000);
});
