import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CheckpointError,
  cleanupTempFiles,
  isTempCheckpointName,
  readCheckpointFile,
  writeCheckpointFile,
  type LazyTensorRecord,
} from '../../../src/checkpoint/file/index.js';
import { record, sampleTensors, tempFolders } from './helpers.js';

const folders = tempFolders();
afterEach(() => folders.cleanup());

const DEAD_PID = 99_999_999; // above Linux's pid_max (4,194,304): no such process

function lazy(name: string, bytes: number, read: () => Promise<Uint8Array> | Uint8Array, log?: string[]): LazyTensorRecord {
  return { name, dtype: 'U8', shape: [bytes], byteLength: bytes, read, discard: () => log?.push(`discard ${name}`) };
}

describe('atomic, durable writes', () => {
  it('a write that fails midway leaves the previous file intact and no temp file', async () => {
    const dir = await folders.make();
    const path = join(dir, 'model.ckpt');
    await writeCheckpointFile(path, sampleTensors(), { version: 'old' });
    const before = await readFile(path);

    const log: string[] = [];
    // Layout order by name within U8: a, b, c. 'b' fails after 'a' was written.
    const failing = [
      lazy('a', 100_000, () => { log.push('read a'); return new Uint8Array(100_000); }, log),
      lazy('b', 10, () => { log.push('read b'); throw new Error('device lost'); }, log),
      lazy('c', 10, () => { log.push('read c'); return new Uint8Array(10); }, log),
    ];
    await expect(writeCheckpointFile(path, failing, { version: 'new' })).rejects.toThrow('device lost');
    expect((await readFile(path)).equals(before)).toBe(true);
    expect(await readdir(dir)).toEqual(['model.ckpt']);
    // The record never read is discarded so its producer can free it; read ones are not.
    expect(log).toEqual(['read a', 'read b', 'discard c']);
    expect((await readCheckpointFile(path)).metadata.version).toBe('old');
  });

  it('a lazy tensor that produces the wrong number of bytes aborts the write', async () => {
    const dir = await folders.make();
    const path = join(dir, 'model.ckpt');
    await writeCheckpointFile(path, [record('w', 'F32', [4])], {});
    const before = await readFile(path);
    const liar = { ...lazy('w', 16, () => new Uint8Array(12)), dtype: 'F32' as const, shape: [4] };
    const error = await writeCheckpointFile(path, [liar], {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as CheckpointError).check).toBe('input');
    expect((await readFile(path)).equals(before)).toBe(true);
    expect(await readdir(dir)).toEqual(['model.ckpt']);
  });

  it('invalid input fails before any file is created, and discards every lazy record', async () => {
    const dir = await folders.make();
    const log: string[] = [];
    const records = [lazy('x', 4, () => new Uint8Array(4), log), lazy('x', 4, () => new Uint8Array(4), log)];
    await expect(writeCheckpointFile(join(dir, 'sub', 'bad.ckpt'), records, {})).rejects.toMatchObject({ check: 'input' });
    expect(await readdir(dir)).toEqual([]);
    expect(log).toEqual(['discard x', 'discard x']);
  });

  it('a failed rename (the final path is a folder) removes the temp file and rethrows', async () => {
    const dir = await folders.make();
    await mkdir(join(dir, 'taken.ckpt'));
    await expect(writeCheckpointFile(join(dir, 'taken.ckpt'), [record('a', 'F32', [1])], {})).rejects.toMatchObject({ code: expect.stringMatching(/^E/) });
    expect(await readdir(dir)).toEqual(['taken.ckpt']);
  });

  it('only a complete file ever appears under the final name; the temp file is hidden and recognisable', async () => {
    const dir = await folders.make();
    const path = join(dir, 'epoch=1-step=10.ckpt');
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    let seenDuringWrite: string[] = [];
    const slow = lazy('w', 8, async () => {
      seenDuringWrite = await readdir(dir);
      await gate;
      return new Uint8Array(8);
    });
    const writing = writeCheckpointFile(path, [slow], {});
    while (seenDuringWrite.length === 0) await new Promise((resolve) => setTimeout(resolve, 2));
    expect(seenDuringWrite).toHaveLength(1);
    const [temp] = seenDuringWrite;
    expect(isTempCheckpointName(temp)).toBe(true);
    expect(temp.startsWith('.epoch=1-step=10.ckpt.tmp-')).toBe(true);
    expect(temp.endsWith('.ckpt')).toBe(false);
    // Cleanup during the write must not touch the live temp file.
    expect(await cleanupTempFiles(dir)).toEqual([]);
    release();
    await writing;
    expect(await readdir(dir)).toEqual(['epoch=1-step=10.ckpt']);
    expect((await readCheckpointFile(path)).tensors.get('w')?.data.byteLength).toBe(8);
  });

  it('overwrites an existing checkpoint and creates missing parent folders', async () => {
    const dir = await folders.make();
    const path = join(dir, 'a', 'b', 'c', 'last.ckpt');
    await writeCheckpointFile(path, [record('v', 'I32', [1], 1)], { n: '1' });
    await writeCheckpointFile(path, [record('v', 'I32', [1], 2)], { n: '2' });
    expect((await readCheckpointFile(path)).metadata.n).toBe('2');
  });

  it('keeps temp names within file-name limits for very long checkpoint names', async () => {
    const dir = await folders.make();
    const name = `${'é'.repeat(120)}.ckpt`; // 245 bytes in UTF-8
    await writeCheckpointFile(join(dir, name), [], {});
    expect(await readdir(dir)).toEqual([name]);
  });
});

describe('temp file names and cleanup', () => {
  it('recognises only our temp pattern', () => {
    expect(isTempCheckpointName('.last.ckpt.tmp-1234-0a1b2c3d')).toBe(true);
    expect(isTempCheckpointName('.a b.ckpt.tmp-1-ffffffff')).toBe(true);
    for (const name of ['last.ckpt', '.last.ckpt', 'last.ckpt.tmp-1-0a1b2c3d', '.last.ckpt.tmp-1-0A1B2C3D', '.last.ckpt.tmp-x-0a1b2c3d', '.last.ckpt.tmp-1-0a1b2c3', '.tmp-1-0a1b2c3d', '.x.ckpt.tmp-1-0a1b2c3d.ckpt']) {
      expect(isTempCheckpointName(name), name).toBe(false);
    }
  });

  it('removes stale temp files only: not checkpoints, not other files, not live writers', async () => {
    const dir = await folders.make();
    const stale = [`.a.ckpt.tmp-${DEAD_PID}-0123abcd`, `.b.ckpt.tmp-${process.pid}-deadbeef`];
    const keep = [
      'a.ckpt', 'notes.tmp', '.hidden', 'a.ckpt.tmp-1-00000000', 'best_k_models.yaml',
      `.c.ckpt.tmp-${process.ppid}-00000000`, // its writer (our parent process) is alive
    ];
    for (const name of [...stale, ...keep]) await writeFile(join(dir, name), 'x');
    await mkdir(join(dir, `.d.ckpt.tmp-${DEAD_PID}-00000000`)); // a folder is never ours
    const removed = await cleanupTempFiles(dir);
    expect(removed.sort()).toEqual(stale.map((name) => join(dir, name)).sort());
    expect((await readdir(dir)).sort()).toEqual([...keep, `.d.ckpt.tmp-${DEAD_PID}-00000000`].sort());
    expect(await cleanupTempFiles(dir)).toEqual([]);
    expect(await cleanupTempFiles(join(dir, 'missing'))).toEqual([]);
  });
});
