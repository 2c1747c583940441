import { join } from 'node:path';
import { readCheckpointFile } from '@cairn/core';
import { S3Store } from '@cairn/s3';
import { tmp } from './fit.js';
import { storageFor } from './s3-server.js';

/** Names of every object below `url`, sorted. */
export async function bucketNames(endpoint: string, url: string): Promise<string[]> {
  const store = new S3Store(new URL(url), storageFor(endpoint));
  try {
    return (await store.list()).map(({ key }) => key).sort();
  } finally {
    store.destroy();
  }
}

/**
 * Downloads each named checkpoint (URLs below `url`) and reads it whole, checksum included:
 * throws naming the first that is missing or corrupt.
 */
export async function verifyInBucket(endpoint: string, url: string, paths: readonly string[]): Promise<void> {
  const store = new S3Store(new URL(url), storageFor(endpoint));
  const dir = await tmp();
  try {
    for (const [i, path] of paths.entries()) {
      if (!path.startsWith(`${url}/`)) throw new Error(`${path} is not below ${url}`);
      const local = join(dir, `${i}.ckpt`);
      await store.download(path.slice(url.length + 1), local);
      await readCheckpointFile(local);
    }
  } finally {
    store.destroy();
  }
}
