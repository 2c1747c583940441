import { randomFillSync } from 'node:crypto';
import { open, readFile, rename, unlink } from 'node:fs/promises';

/**
 * The plain-fs baselines: what writing or reading the same bytes costs without Cairn's format,
 * checksum, snapshot or atomic rename.
 */

/** A buffer of `bytes` incompressible-looking bytes (a random 1 MiB block repeated: filling 512 MB randomly takes seconds). */
export function payload(bytes: number): Buffer {
  const block = randomFillSync(Buffer.allocUnsafe(Math.min(bytes, 1 << 20)));
  const out = Buffer.allocUnsafeSlow(bytes);
  for (let at = 0; at < bytes; at += block.length) block.copy(out, at, 0, Math.min(block.length, bytes - at));
  return out;
}

/** write(2) the whole buffer into a new temporary file, fsync, close, rename into place: the durable-write floor. */
export async function rawWrite(path: string, data: Uint8Array): Promise<void> {
  const temporary = `${path}.tmp`;
  const file = await open(temporary, 'wx');
  try {
    let done = 0;
    while (done < data.length) {
      const { bytesWritten } = await file.write(data, done, data.length - done, done);
      done += bytesWritten;
    }
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temporary, path);
}

/** Seconds for one raw durable write of `data` to `path`; the file is removed afterwards (untimed). */
export async function timedRawWrite(path: string, data: Uint8Array): Promise<number> {
  const start = performance.now();
  await rawWrite(path, data);
  const elapsed = (performance.now() - start) / 1000;
  await unlink(path);
  return elapsed;
}

/** fs.readFile of the whole file: the read floor. Returns the byte count so the read cannot be optimised away. */
export async function rawRead(path: string): Promise<number> {
  return (await readFile(path)).length;
}
