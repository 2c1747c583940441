import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// s3rver is CommonJS without types.
import S3rver from 's3rver';

export const TEST_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** A real S3-API server (s3rver) on loopback, with its objects in a temp folder. */
export interface RunningS3 {
  endpoint: string;
  port: number;
  directory: string;
  close(): Promise<void>;
}

export async function startS3(buckets: string[] = ['bucket'], port = 0): Promise<RunningS3> {
  const directory = await mkdtemp(join(tmpdir(), 'cairn-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port, silent: true, directory, configureBuckets: buckets.map((name) => ({ name })) });
  const address = (await server.run()) as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    port: address.port,
    directory,
    close: async () => {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** Storage options for a server on `endpoint`. */
export function storageFor(endpoint: string): Record<string, unknown> {
  return { endpoint, forcePathStyle: true, region: 'us-east-1', credentials: TEST_CREDENTIALS };
}
