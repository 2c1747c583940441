import { describeValue } from '@cairn/core';

/** Where and how to reach the S3 API. Anything unset comes from the AWS SDK's usual sources (environment, shared config, instance roles). */
export interface S3StoreOptions {
  /** e.g. `'http://127.0.0.1:9000'` for MinIO, `'https://<account>.r2.cloudflarestorage.com'` for R2. Default: AWS. */
  endpoint?: string;
  /** Default: the SDK's (AWS_REGION, ~/.aws/config); `'us-east-1'` when it finds none. */
  region?: string;
  /** `http://host/bucket/key` instead of `http://bucket.host/key` (MinIO, Ceph RGW, most local servers). */
  forcePathStyle?: boolean;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Multipart part size in bytes for large files (>= 5 MiB, S3's minimum). Default 8 MiB. */
  partSize?: number;
  /** A request with no answer for this long (ms) fails and is retried. Default 60 000. */
  requestTimeout?: number;
  /** Attempts the SDK itself makes per request (its own retry of 5xx and throttling). Default 3. */
  maxAttempts?: number;
}

const KNOWN = new Set(['endpoint', 'region', 'forcePathStyle', 'credentials', 'partSize', 'requestTimeout', 'maxAttempts']);
const MIN_PART_SIZE = 5 * 1024 * 1024;

function fail(message: string): never {
  throw new Error(`@cairn/s3: ${message}`);
}

/** Checks options given to registerS3 or a ModelCheckpoint's `remote.storage`; unknown keys are refused. */
export function checkS3Options(options: unknown): S3StoreOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) fail(`options must be an object, got ${describeValue(options)}`);
  const o = options as Record<string, unknown>;
  for (const key of Object.keys(o)) if (!KNOWN.has(key)) fail(`unknown option '${key}'; the options are ${[...KNOWN].join(', ')}`);
  if (o.endpoint !== undefined) {
    if (typeof o.endpoint !== 'string' || !/^https?:\/\/[^/]/u.test(o.endpoint)) fail(`endpoint must be an http(s) URL, got ${describeValue(o.endpoint)}`);
  }
  if (o.region !== undefined && (typeof o.region !== 'string' || o.region === '')) fail(`region must be a region name, got ${describeValue(o.region)}`);
  if (o.forcePathStyle !== undefined && typeof o.forcePathStyle !== 'boolean') fail(`forcePathStyle must be a boolean, got ${describeValue(o.forcePathStyle)}`);
  if (o.credentials !== undefined) {
    const c = o.credentials as Record<string, unknown> | null;
    if (typeof c !== 'object' || c === null || typeof c.accessKeyId !== 'string' || typeof c.secretAccessKey !== 'string') {
      fail('credentials must be { accessKeyId, secretAccessKey, sessionToken? } (strings)');
    }
    for (const key of Object.keys(c)) if (!['accessKeyId', 'secretAccessKey', 'sessionToken'].includes(key)) fail(`unknown credentials key '${key}'`);
  }
  if (o.partSize !== undefined && (!Number.isSafeInteger(o.partSize) || (o.partSize as number) < MIN_PART_SIZE)) fail(`partSize must be an integer >= ${MIN_PART_SIZE} (5 MiB), got ${describeValue(o.partSize)}`);
  if (o.requestTimeout !== undefined && (!Number.isSafeInteger(o.requestTimeout) || (o.requestTimeout as number) < 1)) fail(`requestTimeout must be a positive integer (ms), got ${describeValue(o.requestTimeout)}`);
  if (o.maxAttempts !== undefined && (!Number.isSafeInteger(o.maxAttempts) || (o.maxAttempts as number) < 1)) fail(`maxAttempts must be an integer >= 1, got ${describeValue(o.maxAttempts)}`);
  return o as S3StoreOptions;
}
