import { parseDuration, type Duration } from '../../options/duration.js';
import { describeValue } from '../../options/describe-kind.js';
import { rejectUnknownOptions, type OptionKeys } from '../../options/known-options.js';
import type { RetryPolicy } from '../../checkpoint/store/retry.js';

/** ModelCheckpoint's `remote` option: how a `dirpath` such as `s3://bucket/prefix` is written. */
export interface RemoteCheckpointOptions {
  /** Local folder each file is written to (and verified) before its upload. Default `<trainer.logDir>/staging/<bucket>/<prefix>`. */
  stagingDir?: string;
  /** Keep the local copy after the upload is verified. Default true. */
  keepLocal?: boolean;
  /** Retries of a failed upload (or other remote call) before the fit fails. Default 5. */
  retries?: number;
  /** Wait before the first retry (doubled each time, at most 30 s). Default 500 ms. */
  retryDelay?: Duration;
  /** Passed to the storage registered for the URL's scheme (for S3: endpoint, region, forcePathStyle, credentials). */
  storage?: Record<string, unknown>;
}

export interface ResolvedRemoteOptions {
  stagingDir: string | undefined;
  keepLocal: boolean;
  retry: RetryPolicy;
  storage: Record<string, unknown>;
}

const KNOWN: OptionKeys<RemoteCheckpointOptions> = { stagingDir: true, keepLocal: true, retries: true, retryDelay: true, storage: true };

export function resolveRemoteOptions(options: RemoteCheckpointOptions | undefined): ResolvedRemoteOptions {
  const given = options ?? {};
  rejectUnknownOptions('ModelCheckpoint remote', given, KNOWN);
  const fail = (message: string): never => {
    throw new Error(`ModelCheckpoint: remote.${message}`);
  };
  const { stagingDir, keepLocal = true, retries = 5, storage = {} } = given;
  if (stagingDir !== undefined && (typeof stagingDir !== 'string' || stagingDir === '' || stagingDir.includes('\0'))) fail(`stagingDir must be a folder path, got ${describeValue(stagingDir)}`);
  if (typeof keepLocal !== 'boolean') fail(`keepLocal must be a boolean, got ${describeValue(keepLocal)}`);
  if (!Number.isSafeInteger(retries) || retries < 0) fail(`retries must be an integer >= 0, got ${describeValue(retries)}`);
  if (typeof storage !== 'object' || storage === null || Array.isArray(storage)) fail(`storage must be an options object, got ${describeValue(storage)}`);
  const delayMs = given.retryDelay === undefined ? 500 : parseDuration('ModelCheckpoint', 'remote.retryDelay', given.retryDelay);
  return { stagingDir, keepLocal, retry: { retries, delayMs, maxDelayMs: Math.max(delayMs, 30_000) }, storage };
}
