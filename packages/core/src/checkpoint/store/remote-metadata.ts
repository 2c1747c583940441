import { CheckpointError } from '../file/index.js';
import { LENGTH_PREFIX_BYTES } from '../file/format.js';
import { checkHeaderLength, parseHeader } from '../file/header.js';
import { planChecksum } from '../file/checksum.js';
import type { RemoteStorage } from './remote-storage.js';

/**
 * A remote checkpoint's `__metadata__` from two ranged reads (the length, then the header), with
 * the checks readCheckpointMetadata makes on a local file: no byte of the data section is fetched.
 */
export async function readRemoteMetadata(storage: RemoteStorage, key: string, url: string): Promise<Record<string, string>> {
  const info = await storage.stat(key);
  if (info === undefined) throw Object.assign(new Error(`${url}: no such object`), { code: 'ENOENT' });
  const prefix = (await storage.read(key, { start: 0, end: Math.min(info.size, LENGTH_PREFIX_BYTES) })) ?? new Uint8Array();
  const headerLength = checkHeaderLength(url, prefix, info.size);
  const json = await storage.read(key, { start: LENGTH_PREFIX_BYTES, end: LENGTH_PREFIX_BYTES + headerLength });
  if (json === undefined || json.length !== headerLength) throw new CheckpointError(url, 'truncated', 'object shrank while its header was being read');
  const header = parseHeader(url, json, info.size - LENGTH_PREFIX_BYTES - headerLength);
  planChecksum(url, header, json, true);
  return header.metadata;
}
