import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointError, readCheckpointFile, readCheckpointMetadata } from '../../../src/checkpoint/file/index.js';
import { SAMPLE_METADATA, readBytes, sampleTensors, tempFolders, writtenBytes } from './helpers.js';

const folders = tempFolders();
afterEach(() => folders.cleanup());

/** The check that rejected `file`, or 'accepted'; anything but a CheckpointError is rethrown. */
async function verdict(file: Uint8Array, requireChecksum = true): Promise<string> {
  try {
    await readBytes(file, { requireChecksum });
    return 'accepted';
  } catch (error) {
    if (error instanceof CheckpointError) return error.check;
    throw error;
  }
}

describe('corrupted files are always refused with a CheckpointError', () => {
  let file: Uint8Array;
  let headerEnd: number;
  beforeAll(async () => {
    file = await writtenBytes(sampleTensors(), SAMPLE_METADATA);
    headerEnd = 8 + Number(new DataView(file.buffer, file.byteOffset).getBigUint64(0, true));
  });

  it('sanity: the intact file is accepted', async () => {
    expect(await verdict(file)).toBe('accepted');
    expect(file.length - headerEnd).toBeGreaterThan(40);
  });

  it('refuses truncation at every offset', async () => {
    const checks = new Set<string>();
    for (let length = 0; length < file.length; length++) {
      const check = await verdict(file.subarray(0, length));
      expect(check, `truncated to ${length}`).not.toBe('accepted');
      checks.add(check);
    }
    expect(checks).toContain('truncated');
    expect(checks).toContain('header-length');
  });

  it('refuses appended bytes', async () => {
    const longer = new Uint8Array(file.length + 1);
    longer.set(file);
    expect(await verdict(longer)).toBe('coverage');
  });

  for (const requireChecksum of [true, false]) {
    it(`refuses a flip of any bit pattern at every byte, header and data (requireChecksum: ${requireChecksum})`, async () => {
      const copy = file.slice();
      const seen = new Map<string, number>();
      for (let at = 0; at < copy.length; at++) {
        for (const mask of [0x01, 0x80, 0xff, 0x20]) {
          copy[at] ^= mask;
          const check = await verdict(copy, requireChecksum);
          copy[at] ^= mask;
          expect(check, `byte ${at} ^ 0x${mask.toString(16)} (${at < headerEnd ? 'header' : 'data'})`).not.toBe('accepted');
          seen.set(check, (seen.get(check) ?? 0) + 1);
        }
      }
      expect(seen.get('checksum')).toBeGreaterThan(0);
    });
  }

  it('reports a flipped data byte as a checksum failure naming the file', async () => {
    const path = join(await folders.make(), 'flipped.ckpt');
    const copy = file.slice();
    copy[copy.length - 3] ^= 0x04;
    await writeFile(path, copy);
    const error = await readCheckpointFile(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as CheckpointError).check).toBe('checksum');
    expect((error as CheckpointError).path).toBe(path);
    expect((error as CheckpointError).message).toContain(path);
    expect((error as CheckpointError).message).toContain('checksum');
    // The metadata-only read does not hash the data, so it still answers.
    expect((await readCheckpointMetadata(path)).epoch).toBe('3');
  });

  it('refuses truncated files on disk, including empty ones, in both readers', async () => {
    const dir = await folders.make();
    for (const length of [0, 5, 8, headerEnd - 3, headerEnd, file.length - 1]) {
      const path = join(dir, `t${length}.ckpt`);
      await writeFile(path, file.subarray(0, length));
      await expect(readCheckpointFile(path)).rejects.toBeInstanceOf(CheckpointError);
      if (length < headerEnd + 1) await expect(readCheckpointMetadata(path)).rejects.toBeInstanceOf(CheckpointError);
    }
    await expect(readCheckpointMetadata(join(dir, `t${file.length - 1}.ckpt`))).rejects.toMatchObject({ check: 'truncated' });
  });
});
