import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { RemoteObjectInfo, RemoteStorage } from '@cairn/core';
import type { S3StoreOptions } from './options.js';

const DEFAULT_PART_SIZE = 8 * 1024 * 1024;

function status(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

function isMissing(error: unknown): boolean {
  const name = (error as { name?: string }).name;
  return name === 'NoSuchKey' || name === 'NotFound' || status(error) === 404;
}

/** One bucket prefix (`s3://bucket/prefix`) through the AWS SDK v3; multipart uploads through lib-storage. */
export class S3Store implements RemoteStorage {
  readonly url: string;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly partSize: number;

  constructor(url: URL, options: S3StoreOptions = {}) {
    this.bucket = url.host;
    this.prefix = url.pathname.replace(/^\/+|\/+$/gu, '');
    this.url = `s3://${this.bucket}${this.prefix === '' ? '' : `/${this.prefix}`}`;
    this.partSize = options.partSize ?? DEFAULT_PART_SIZE;
    const config: S3ClientConfig = {
      forcePathStyle: options.forcePathStyle,
      maxAttempts: options.maxAttempts ?? 3,
      requestHandler: { requestTimeout: options.requestTimeout ?? 60_000, connectionTimeout: options.requestTimeout ?? 60_000 },
    };
    if (options.endpoint !== undefined) config.endpoint = options.endpoint;
    // The SDK throws at the first request when no region is found anywhere; S3-API servers other than AWS ignore it.
    config.region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? (options.endpoint === undefined ? undefined : 'us-east-1');
    // A copy: the SDK writes its own bookkeeping into the object it is given.
    if (options.credentials !== undefined) config.credentials = { ...options.credentials };
    this.client = new S3Client(config);
  }

  private key(rel: string): string {
    return this.prefix === '' ? rel : `${this.prefix}/${rel}`;
  }

  async list(): Promise<RemoteObjectInfo[]> {
    const found: RemoteObjectInfo[] = [];
    const start = this.prefix === '' ? '' : `${this.prefix}/`;
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: start, ContinuationToken: token }));
      for (const item of page.Contents ?? []) {
        if (item.Key === undefined || item.Key.endsWith('/')) continue;
        found.push({ key: item.Key.slice(start.length), size: item.Size ?? 0, mtimeMs: item.LastModified?.getTime() ?? 0 });
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return found;
  }

  async stat(rel: string): Promise<RemoteObjectInfo | undefined> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(rel) }));
      return { key: rel, size: head.ContentLength ?? 0, mtimeMs: head.LastModified?.getTime() ?? 0 };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  private async get(rel: string, range?: { start: number; end: number }): Promise<Readable | undefined> {
    try {
      const answer = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.key(rel), Range: range === undefined ? undefined : `bytes=${range.start}-${range.end - 1}` }),
      );
      return answer.Body as Readable;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async read(rel: string, range?: { start: number; end: number }): Promise<Uint8Array | undefined> {
    if (range !== undefined && range.end <= range.start) return (await this.stat(rel)) === undefined ? undefined : new Uint8Array();
    const body = await this.get(rel, range);
    if (body === undefined) return undefined;
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk as Buffer);
    return new Uint8Array(Buffer.concat(chunks));
  }

  async download(rel: string, localPath: string): Promise<void> {
    const body = await this.get(rel);
    if (body === undefined) throw Object.assign(new Error(`${this.url}/${rel}: no such object`), { code: 'ENOENT' });
    await pipeline(body, createWriteStream(localPath));
  }

  async readBackSha256(rel: string): Promise<string> {
    const body = await this.get(rel);
    if (body === undefined) throw new Error(`${this.url}/${rel}: the object is missing right after its upload`);
    const hash = createHash('sha256');
    for await (const chunk of body) hash.update(chunk as Buffer);
    return hash.digest('hex');
  }

  async upload(localPath: string, rel: string): Promise<void> {
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: this.key(rel), Body: createReadStream(localPath), ContentType: 'application/octet-stream' },
      partSize: this.partSize,
      queueSize: 2,
      // A failed multipart upload is aborted: no invisible parts left behind to pay for.
      leavePartsOnError: false,
    });
    await upload.done();
  }

  async putText(rel: string, text: string, options: { ifAbsent?: boolean } = {}): Promise<void> {
    try {
      await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.key(rel), Body: text, IfNoneMatch: options.ifAbsent === true ? '*' : undefined }));
    } catch (error) {
      if (status(error) === 412) throw Object.assign(new Error(`${this.url}/${rel} exists already`), { preconditionFailed: true });
      throw error;
    }
  }

  async delete(rel: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(rel) }));
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
  }

  async copy(fromRel: string, toRel: string): Promise<void> {
    // URL-encoded as S3 requires, but with the characters a path may hold as they are ('=' of
    // `epoch=3.ckpt`, ',', ':', '@'): servers that decode with decodeURI (s3rver) read them right too.
    const encode = (part: string): string => encodeURIComponent(part).replace(/%(3D|2C|3A|40)/gu, (escaped) => decodeURIComponent(escaped));
    const source = `${this.bucket}/${this.key(fromRel).split('/').map(encode).join('/')}`;
    await this.client.send(new CopyObjectCommand({ Bucket: this.bucket, Key: this.key(toRel), CopySource: source }));
  }

  /** Closes the SDK's connections. */
  destroy(): void {
    this.client.destroy();
  }
}
