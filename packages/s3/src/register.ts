import { registerRemoteStorage } from '@cairn/core';
import { checkS3Options, type S3StoreOptions } from './options.js';
import { S3Store } from './s3-store.js';

/**
 * Lets ModelCheckpoint write to `s3://bucket/prefix` (and resume from it). `defaults` apply to
 * every prefix; a ModelCheckpoint's `remote.storage` overrides them key by key.
 */
export function registerS3(defaults: S3StoreOptions = {}): void {
  const base = checkS3Options(defaults);
  registerRemoteStorage('s3', (url, options) => new S3Store(url, { ...base, ...checkS3Options(options) }));
}
