/**
 * What Cairn needs from an object store (S3 and its kin): a flat key space below one prefix.
 * Keys are relative to the prefix and use `/`. Implementations live outside core (@cairn/s3), so
 * core carries no cloud SDK; they are made available with registerRemoteStorage.
 */
export interface RemoteObjectInfo {
  /** Key relative to the prefix, e.g. `epoch=0-step=10.ckpt` or `sub/x.ckpt`. */
  key: string;
  size: number;
  /** Last modification, ms since the epoch (the server's clock). */
  mtimeMs: number;
}

export interface RemoteStorage {
  /** The prefix as a URL without a trailing slash, e.g. `s3://bucket/run1`. */
  readonly url: string;
  /** Every object below the prefix. */
  list(): Promise<RemoteObjectInfo[]>;
  /** Size and time of one object; undefined when there is none. */
  stat(key: string): Promise<RemoteObjectInfo | undefined>;
  /** Bytes [start, end) of an object (the whole object when no range); undefined when there is none. */
  read(key: string, range?: { start: number; end: number }): Promise<Uint8Array | undefined>;
  /** Streams an object into a local file (created or replaced). */
  download(key: string, localPath: string): Promise<void>;
  /** SHA-256 (hex) of the stored bytes, computed by reading them back. */
  readBackSha256(key: string): Promise<string>;
  /** Uploads a local file (multipart when large); resolves once the server acknowledged it. */
  upload(localPath: string, key: string): Promise<void>;
  /** Stores a small text object. `ifAbsent` asks the server to refuse when the key exists (where it supports it). */
  putText(key: string, text: string, options?: { ifAbsent?: boolean }): Promise<void>;
  /** Deletes an object; a missing one is fine. */
  delete(key: string): Promise<void>;
  /** Server-side copy. */
  copy(fromKey: string, toKey: string): Promise<void>;
}

/** Makes a RemoteStorage for a URL of its scheme; `options` are the callback's `remote.storage`. */
export type RemoteStorageFactory = (url: URL, options: Readonly<Record<string, unknown>>) => RemoteStorage;

const factories = new Map<string, RemoteStorageFactory>();

/** Lets checkpoints go to `<scheme>://...` URLs (e.g. `registerRemoteStorage('s3', ...)`, done by @cairn/s3's registerS3()). */
export function registerRemoteStorage(scheme: string, factory: RemoteStorageFactory): void {
  if (!/^[a-z][a-z0-9+.-]*$/u.test(scheme)) throw new Error(`registerRemoteStorage: scheme must be a URL scheme such as 's3', got ${JSON.stringify(scheme)}`);
  if (typeof factory !== 'function') throw new Error('registerRemoteStorage: factory must be a function');
  factories.set(scheme, factory);
}

const URL_PATTERN = /^([a-z][a-z0-9+.-]*):\/\//u;

/** True for `scheme://...` (never for a local path, Windows drive letters included). */
export function isRemoteUrl(path: string): boolean {
  const match = URL_PATTERN.exec(path);
  return match !== null && match[1]!.length > 1;
}

/** `s3://bucket/a/b/` -> `s3://bucket/a/b`: one spelling per prefix. */
export function normalizeRemoteUrl(url: string): string {
  const parsed = parseRemoteUrl(url);
  const path = parsed.pathname.replace(/\/+$/u, '');
  return `${parsed.protocol}//${parsed.host}${path}`;
}

function parseRemoteUrl(url: string): URL {
  // Checked on the text: URL parsing would silently resolve them away.
  if (/\/\.{1,2}(\/|$)/u.test(url.replace(URL_PATTERN, '/'))) throw new Error(`${JSON.stringify(url)}: '.' and '..' are not allowed in a storage URL`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`${JSON.stringify(url)} is not a valid storage URL (expected e.g. s3://bucket/prefix)`);
  }
  if (parsed.host === '') throw new Error(`${JSON.stringify(url)} names no bucket (expected e.g. s3://bucket/prefix)`);
  if (parsed.search !== '' || parsed.hash !== '') throw new Error(`${JSON.stringify(url)}: a storage URL takes no query or fragment`);
  return parsed;
}

/** Opens the storage for a `scheme://bucket/prefix` URL; a scheme nobody registered is a clear error. */
export function openRemoteStorage(url: string, options: Readonly<Record<string, unknown>> = {}): RemoteStorage {
  const parsed = parseRemoteUrl(normalizeRemoteUrl(url));
  const scheme = parsed.protocol.slice(0, -1);
  const factory = factories.get(scheme);
  if (factory === undefined) {
    const hint = scheme === 's3' ? "install @cairn/s3 and call registerS3() (import { registerS3 } from '@cairn/s3')" : `call registerRemoteStorage('${scheme}', factory) first`;
    throw new Error(`no storage is registered for ${scheme}:// URLs (${url}): ${hint}`);
  }
  return factory(parsed, options);
}
