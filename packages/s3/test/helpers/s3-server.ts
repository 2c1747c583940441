import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// s3rver is CommonJS without types.
import S3rver from 's3rver';

import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';

/**
 * Which server the tests talk to: s3rver in this process (default), or with
 * CAIRN_S3_SERVER=ceph-rgw a single-node Ceph RADOS Gateway started by scripts/ceph-rgw.sh
 * (the heavy suite, `pnpm test:rgw`).
 */
const RGW = process.env.CAIRN_S3_SERVER === 'ceph-rgw';
/** The server's name, for summary lines. */
export const SERVER_NAME = RGW ? 'Ceph RGW 16.2.15 from Debian, single node' : 's3rver 3.7.1';
const SCRIPT = join(import.meta.dirname, '../../scripts/ceph-rgw.sh');

export const TEST_CREDENTIALS = RGW ? { accessKeyId: 'cairn', secretAccessKey: 'cairn-secret' } : { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** A real S3-API server (s3rver) on loopback, with its objects in a temp folder. */
export interface RunningS3 {
  endpoint: string;
  port: number;
  directory: string;
  close(): Promise<void>;
}

export async function startS3(buckets: string[] = ['bucket'], port = 0): Promise<RunningS3> {
  if (RGW) return startRgw(buckets);
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
  return { endpoint, forcePathStyle: true, region: 'us-east-1', credentials: { ...TEST_CREDENTIALS } };
}

const run = promisify(execFile);

async function startRgw(buckets: string[]): Promise<RunningS3> {
  // Asynchronous: a start takes tens of seconds, and a blocked worker misses vitest's RPC deadline.
  const { stdout } = await run('bash', [SCRIPT, 'start']);
  const endpoint = stdout.trim().split('\n').pop()!;
  const client = new S3Client({ ...storageFor(endpoint) });
  for (const name of buckets) {
    try {
      await client.send(new CreateBucketCommand({ Bucket: name }));
    } catch (error) {
      if ((error as { name?: string }).name !== 'BucketAlreadyOwnedByYou') throw error;
    }
  }
  client.destroy();
  return {
    endpoint,
    port: Number(new URL(endpoint).port),
    directory: '',
    close: async () => {
      await run('bash', [SCRIPT, 'stop']);
    },
  };
}
