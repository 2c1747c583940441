import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointError, readCheckpointFile, type TensorRecord } from '../../../src/checkpoint/file/index.js';
import { patternBytes, tempFolders, writtenBytes } from './helpers.js';

const folders = tempFolders();
afterEach(() => folders.cleanup());

const MiB = 1 << 20;

/** Tensors whose data span several of the reader's 8 MiB chunks, with an odd total size. */
function largeTensors(): TensorRecord[] {
  return [
    { name: 'a', dtype: 'F32', shape: [5 * MiB / 4], data: patternBytes(5 * MiB, 1) },
    { name: 'b', dtype: 'F32', shape: [3 * MiB / 4 + 1], data: patternBytes(3 * MiB + 4, 2) },
    { name: 'c', dtype: 'U8', shape: [9 * MiB + 3], data: patternBytes(9 * MiB + 3, 3) },
  ];
}

async function verdict(path: string): Promise<string> {
  try {
    await readCheckpointFile(path);
    return 'accepted';
  } catch (error) {
    if (error instanceof CheckpointError) return error.check;
    throw error;
  }
}

describe('readCheckpointFile over files of several read chunks', () => {
  const tensors = largeTensors();
  let file: Uint8Array;
  let headerEnd: number;
  beforeAll(async () => {
    file = await writtenBytes(tensors, { note: 'chunked' });
    headerEnd = 8 + Number(new DataView(file.buffer, file.byteOffset).getBigUint64(0, true));
  });

  it('reads every tensor back byte for byte', async () => {
    const path = join(await folders.make(), 'big.ckpt');
    await writeFile(path, file);
    const decoded = await readCheckpointFile(path);
    expect(decoded.metadata.note).toBe('chunked');
    for (const t of tensors) expect(Buffer.compare(decoded.tensors.get(t.name)!.data, t.data)).toBe(0);
  });

  it.each([
    ['a header byte', () => headerEnd - 2],
    ['the first data byte', () => headerEnd],
    ['the last byte of the first chunk', () => headerEnd + 8 * MiB - 1],
    ['the first byte of the second chunk', () => headerEnd + 8 * MiB],
    ['the first byte of the last chunk', () => headerEnd + 16 * MiB],
    ['the last byte of the file', () => file.length - 1],
  ])('refuses a flipped bit at %s', async (_label, at) => {
    const corrupt = file.slice();
    corrupt[at()]! ^= 0x10;
    const path = join(await folders.make(), 'corrupt.ckpt');
    await writeFile(path, corrupt);
    expect(await verdict(path)).not.toBe('accepted');
  });

  it('refuses a flipped checksum digit', async () => {
    const corrupt = file.slice();
    const digits = Buffer.from(corrupt).indexOf('"checksum":"crc32:') + '"checksum":"crc32:'.length;
    corrupt[digits] = corrupt[digits] === 0x30 ? 0x31 : 0x30;
    const path = join(await folders.make(), 'digit.ckpt');
    await writeFile(path, corrupt);
    expect(await verdict(path)).toBe('checksum');
  });

  it('refuses the file truncated at a chunk boundary', async () => {
    const path = join(await folders.make(), 'short.ckpt');
    await writeFile(path, file.subarray(0, headerEnd + 8 * MiB));
    expect(await verdict(path)).not.toBe('accepted');
  });
});
