import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { startChunkChecksum } from '../../../src/checkpoint/file/crc-worker.js';
import { patternBytes } from './helpers.js';

const MiB = 1 << 20;

function shared(bytes: Uint8Array): Uint8Array {
  const copy = new Uint8Array(new SharedArrayBuffer(bytes.length));
  copy.set(bytes);
  return copy;
}

describe('startChunkChecksum', () => {
  it.each([
    ['large shared chunks (worker)', [shared(patternBytes(3 * MiB, 1)), shared(patternBytes(2 * MiB + 5, 2))]],
    ['small chunks only (this thread)', [shared(patternBytes(1000, 3)), patternBytes(77, 4)]],
    ['worker chunks, then a small one, then a large unshared one', [shared(patternBytes(MiB, 5)), shared(patternBytes(9, 6)), patternBytes(2 * MiB, 7), shared(patternBytes(MiB, 8))]],
    ['no chunk', []],
  ])('gives zlib.crc32 of the concatenation after an initial value: %s', async (_label, chunks) => {
    const head = patternBytes(40, 9);
    const checksum = startChunkChecksum(crc32(head));
    // Handed over without waiting in between, as the file sink and reader do.
    await Promise.all(chunks.map((chunk) => checksum.add(chunk)));
    expect(await checksum.result()).toBe(crc32(Buffer.concat([head, ...chunks])));
  });

  it('keeps concurrent checksums apart', async () => {
    const a = [shared(patternBytes(2 * MiB, 10)), shared(patternBytes(MiB, 11))];
    const b = [shared(patternBytes(MiB, 12)), shared(patternBytes(3 * MiB, 13))];
    const [sumA, sumB] = [startChunkChecksum(), startChunkChecksum()];
    await Promise.all([sumA.add(a[0]!), sumB.add(b[0]!), sumA.add(a[1]!), sumB.add(b[1]!)]);
    expect([await sumA.result(), await sumB.result()]).toEqual([crc32(Buffer.concat(a)), crc32(Buffer.concat(b))]);
  });
});
