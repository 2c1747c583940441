import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { CHUNK_BYTES as STAGING_BYTES } from '../../../src/checkpoint/file/buffer-pool.js';
import { CrcFileSink } from '../../../src/checkpoint/file/file-sink.js';
import {
  CheckpointError,
  readCheckpointFile,
  writeCheckpointFile,
  type BorrowedTensorRecord,
  type TensorRecord,
} from '../../../src/checkpoint/file/index.js';
import { record, tempFolders, writtenBytes } from './helpers.js';

const folders = tempFolders();
afterEach(() => folders.cleanup());

/**
 * A record that lends its bytes the way the wasm heap does: each view is a fresh buffer, and the
 * previous one is detached the moment a new one is asked for or the record is released. A writer
 * that kept a view across a pause would read a detached (empty) buffer and fail.
 */
function lender(source: TensorRecord, log: string[]): BorrowedTensorRecord & { views: number } {
  let current: ArrayBuffer | undefined;
  const detach = (): void => {
    if (current !== undefined) structuredClone(current, { transfer: [current] });
    current = undefined;
  };
  const lent = {
    name: source.name,
    dtype: source.dtype,
    shape: source.shape,
    byteLength: source.data.byteLength,
    views: 0,
    view(): Uint8Array {
      detach();
      lent.views += 1;
      const copy = source.data.slice();
      current = copy.buffer;
      return copy;
    },
    release(): void {
      detach();
      log.push(`release ${source.name}`);
    },
  };
  return lent;
}

describe('borrowed tensor records', () => {
  it('are copied out before every pause, give the same file as eager records, and are released once each', async () => {
    const eager = [
      record('big', 'F32', [(2 * STAGING_BYTES + 1000) / 4], 1),
      record('small', 'I32', [3], 2),
      record('empty', 'F32', [0, 2], 3),
      record('scalar', 'F64', [], 4),
    ];
    const log: string[] = [];
    const borrowed = eager.map((t) => lender(t, log));
    const path = join(await folders.make(), 'borrowed.ckpt');
    await writeCheckpointFile(path, borrowed, { note: 'x' });
    expect((await readFile(path)).equals(Buffer.from(await writtenBytes(eager, { note: 'x' })))).toBe(true);
    expect(log.sort()).toEqual(['release big', 'release empty', 'release scalar', 'release small']);
    // The 16 MB tensor spans three staging buffers: a fresh view after each of the two pauses.
    expect(borrowed[0]!.views).toBe(3);
  });

  it('a view whose length differs from the announced one aborts the write, and every record is still released', async () => {
    const dir = await folders.make();
    const path = join(dir, 'model.ckpt');
    await writeFile(path, 'old');
    const log: string[] = [];
    const good = lender(record('a', 'F32', [4], 1), log);
    const liar: BorrowedTensorRecord = { ...lender(record('b', 'F32', [4], 2), log), byteLength: 16, view: () => new Uint8Array(12) };
    const never = lender(record('c', 'F32', [4], 3), log);
    const error = await writeCheckpointFile(path, [good, liar, never]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as CheckpointError).check).toBe('input');
    expect((error as Error).message).toContain("tensor 'b' produced 12 bytes instead of 16");
    expect(log.sort()).toEqual(['release a', 'release b', 'release c']);
    expect(await readFile(path, 'utf8')).toBe('old');
    expect(await readdir(dir)).toEqual(['model.ckpt']);
  });

  it('invalid input releases every borrowed record before any file is created', async () => {
    const dir = await folders.make();
    const log: string[] = [];
    const records = [lender(record('x', 'F32', [1], 1), log), lender(record('x', 'F32', [1], 2), log)];
    await expect(writeCheckpointFile(join(dir, 'dup.ckpt'), records)).rejects.toThrow(/given twice/);
    expect(log).toEqual(['release x', 'release x']);
    expect(await readdir(dir)).toEqual([]);
  });

  it('saves one after another (reusing the staging buffers), a failed one in between, all come out exact', async () => {
    const dir = await folders.make();
    const big = (seed: number): TensorRecord => record('w', 'U8', [STAGING_BYTES + 77], seed);
    await writeCheckpointFile(join(dir, 'a.ckpt'), [big(1)]);
    const liar: BorrowedTensorRecord = { ...lender(big(2), []), view: () => new Uint8Array(5) };
    await expect(writeCheckpointFile(join(dir, 'b.ckpt'), [liar])).rejects.toThrow(CheckpointError);
    await writeCheckpointFile(join(dir, 'c.ckpt'), [lender(big(3), [])]);
    for (const [name, seed] of [['a.ckpt', 1], ['c.ckpt', 3]] as const) {
      expect((await readFile(join(dir, name))).equals(Buffer.from(await writtenBytes([big(seed)])))).toBe(true);
    }
  });

  it('are read back exactly through the checking reader', async () => {
    const eager = [record('w', 'F32', [1000], 7)];
    const path = join(await folders.make(), 'w.ckpt');
    await writeCheckpointFile(path, eager.map((t) => lender(t, [])));
    expect((await readCheckpointFile(path)).tensors.get('w')?.data).toEqual(eager[0]!.data);
  });
});

/** A file handle that records writes and lets the test decide when each one completes. */
function controlledHandle(size: number) {
  const writes: { offset: number; bytes: Uint8Array; finish: (error?: Error) => void }[] = [];
  let running = 0;
  let maxRunning = 0;
  const file = new Uint8Array(size);
  const handle = {
    write(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesWritten: number; buffer: Uint8Array }> {
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      return new Promise((resolve, reject) => {
        writes.push({
          offset: position,
          bytes: buffer.slice(offset, offset + length),
          finish: (error) => {
            running -= 1;
            if (error !== undefined) return reject(error);
            file.set(buffer.subarray(offset, offset + length), position);
            resolve({ bytesWritten: length, buffer });
          },
        });
      });
    },
  };
  return { handle, writes, file, maxRunning: () => maxRunning };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Waits (up to 10 s) until `ready()`: a chunk's checksum runs on a worker thread, so a hand-off takes more than one tick. */
async function until(ready: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error('condition not reached within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

describe('CrcFileSink', () => {
  it('copies the next chunk while the previous one is written, one write at a time, and checksums every byte', async () => {
    const total = 3 * STAGING_BYTES + 5;
    const { handle, writes, file, maxRunning } = controlledHandle(total);
    const data = record('d', 'U8', [total], 9).data;
    const sink = new CrcFileSink(handle, total);
    const writing = sink.write(() => data);
    await until(() => writes.length === 1 && sink.length === 2 * STAGING_BYTES);
    await tick();
    // The first buffer is out; the second was filled meanwhile and waits for the first write.
    expect(writes).toHaveLength(1);
    expect(sink.length).toBe(2 * STAGING_BYTES);
    writes[0]!.finish();
    await until(() => writes.length === 2);
    writes[1]!.finish();
    await until(() => writes.length === 3);
    writes[2]!.finish();
    await writing;
    const flushing = sink.flush();
    await until(() => writes.length === 4);
    writes[3]!.finish();
    await flushing;
    expect(maxRunning()).toBe(1);
    expect(writes.map((w) => w.offset)).toEqual([0, STAGING_BYTES, 2 * STAGING_BYTES, 3 * STAGING_BYTES]);
    expect(Buffer.from(file).equals(Buffer.from(data))).toBe(true);
    expect(await sink.crc()).toBe(crc32(data));
  });

  it('a failed write surfaces at the next hand-off, and settle() waits for the write in flight', async () => {
    const { handle, writes } = controlledHandle(4 * STAGING_BYTES);
    const sink = new CrcFileSink(handle, 4 * STAGING_BYTES);
    const writing = sink.write(() => new Uint8Array(3 * STAGING_BYTES));
    await tick();
    writes[0]!.finish(Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }));
    await expect(writing).rejects.toThrow('no space left on device');
    let settled = false;
    const settling = sink.settle().then(() => (settled = true));
    await tick();
    // Nothing else was started after the failure, so nothing is left to wait for.
    expect(writes).toHaveLength(1);
    await settling;
    expect(settled).toBe(true);
  });

  it('settle() does not resolve before the write in flight has finished', async () => {
    const { handle, writes } = controlledHandle(STAGING_BYTES);
    const sink = new CrcFileSink(handle, STAGING_BYTES);
    await sink.write(() => new Uint8Array(STAGING_BYTES));
    expect(writes).toHaveLength(1);
    let settled = false;
    const settling = sink.settle().then(() => (settled = true));
    await tick();
    expect(settled).toBe(false);
    writes[0]!.finish(new Error('EIO'));
    await settling;
    expect(settled).toBe(true);
  });

  it('gives a small file buffers of its own size', async () => {
    const { handle, writes } = controlledHandle(10);
    const sink = new CrcFileSink(handle, 10);
    await sink.write(() => new Uint8Array([1, 2, 3, 4, 5, 6]));
    await sink.write(() => new Uint8Array([7, 8, 9, 10]));
    expect(writes).toHaveLength(1);
    expect(writes[0]!.bytes).toEqual(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
  });
});
