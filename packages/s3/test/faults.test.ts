import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerS3 } from '@cairn/s3';
import { bucketNames, verifyInBucket } from './helpers/bucket-check.js';
import { FaultProxy, type Fault } from './helpers/fault-proxy.js';
import { leg, tmp, type Leg } from './helpers/fit.js';
import { startS3, storageFor, type RunningS3 } from './helpers/s3-server.js';

let server: RunningS3;
let proxy: FaultProxy;
let prefixes = 0;

beforeAll(async () => {
  server = await startS3();
  proxy = new FaultProxy({ host: '127.0.0.1', port: server.port });
  await proxy.start();
  // Through the proxy; the SDK's own retries off, so Cairn's retries are what is tested.
  registerS3({ ...storageFor(proxy.endpoint), maxAttempts: 1, requestTimeout: 5000 });
});
afterAll(async () => {
  await proxy.stop();
  await server.close();
});

const isCheckpointPut = (method: string, path: string): boolean => method === 'PUT' && path.includes('.ckpt');

/** Faults for the first `count` checkpoint uploads, one `fault` each. */
function firstUploads(count: number, fault: (n: number) => Fault): () => number {
  let n = 0;
  proxy.plan = (method, path) => (isCheckpointPut(method, path) && n < count ? fault(n++) : undefined);
  return () => n;
}

async function run(extra: Record<string, unknown> = {}): Promise<{ url: string; result: Leg }> {
  const url = `s3://bucket/faults${++prefixes}`;
  const options = { dirpath: url, monitor: 'val_loss', saveTopK: 2, saveLast: true, everyNTrainSteps: 3, remote: { retries: 4, retryDelay: 50 }, ...extra };
  return { url, result: await leg(await tmp(), [options], { maxEpochs: 2 }) };
}

/** Every checkpoint the callback reports, and every one in the bucket, is there and whole. */
async function expectAllReportedWhole(url: string, result: Leg): Promise<void> {
  const mc = result.checkpoints[0]!;
  const reported = [...Object.keys(mc.bestKModels), mc.bestModelPath, mc.lastModelPath].filter((p) => p !== '');
  expect(reported.length).toBeGreaterThan(2);
  await verifyInBucket(server.endpoint, url, reported);
  const inBucket = (await bucketNames(server.endpoint, url)).filter((n) => n.endsWith('.ckpt')).map((n) => `${url}/${n}`);
  await verifyInBucket(server.endpoint, url, inBucket);
  expect(inBucket.sort()).toEqual([...new Set(reported)].sort());
}

describe('S3 fault cases through a proxy', () => {
  it('connection reset in the middle of uploads: retried, every reported checkpoint is whole in the bucket', async () => {
    const injected = firstUploads(3, () => ({ kind: 'reset-after', bytes: 512 }));
    const { url, result } = await run();
    expect(injected()).toBe(3);
    expect(result.error).toBeUndefined();
    await expectAllReportedWhole(url, result);
  });

  it('500 and 503 answers: retried with backoff', async () => {
    const injected = firstUploads(4, (n) => ({ kind: 'status', status: n % 2 === 0 ? 500 : 503 }));
    const { url, result } = await run();
    expect(injected()).toBe(4);
    expect(result.error).toBeUndefined();
    await expectAllReportedWhole(url, result);
  });

  it('a slow server: fit resolves only once every upload is durable', async () => {
    proxy.plan = () => ({ kind: 'delay', ms: 150 });
    const { url, result } = await run();
    proxy.plan = () => undefined;
    expect(result.error).toBeUndefined();
    await expectAllReportedWhole(url, result);
  });

  it('a server down at fit start and back a moment later: the fit waits for it', async () => {
    proxy.plan = () => undefined;
    await proxy.stop();
    const back = new Promise<void>((done) => setTimeout(() => void proxy.start().then(done), 1500));
    const { url, result } = await run({ remote: { retries: 6, retryDelay: 200 } });
    await back;
    expect(result.error).toBeUndefined();
    await expectAllReportedWhole(url, result);
  });

  it("a 'link' copy of last.ckpt that keeps failing fails the fit: it never ends naming a missing last file", async () => {
    proxy.plan = (method, path) => (method === 'PUT' && path.includes('last.ckpt') ? { kind: 'status', status: 503 } : undefined);
    const { result } = await run({ saveTopK: 1, monitor: undefined, saveLast: 'link', remote: { retries: 1, retryDelay: 20 } });
    proxy.plan = () => undefined;
    expect(String(result.error)).toMatch(/copying s3:\/\/bucket\/faults\d+\/.*\.ckpt to s3:\/\/bucket\/faults\d+\/last\.ckpt failed after 2 attempts/);
    expect(result.trainer.result).toBeUndefined();
  });

  it('uploads that keep failing fail the fit clearly; the bucket holds no torn checkpoint', async () => {
    proxy.plan = (method, path) => (isCheckpointPut(method, path) ? { kind: 'status', status: 503 } : undefined);
    const { url, result } = await run({ remote: { retries: 2, retryDelay: 20 } });
    proxy.plan = () => undefined;
    expect(String(result.error)).toMatch(/checkpoint upload to s3:\/\/bucket\/faults\d+\/.*\.ckpt failed; the fit stops rather than report a checkpoint that is not in the bucket: uploading .* failed after 3 attempts/);
    expect(result.trainer.result).toBeUndefined();
    expect((await bucketNames(server.endpoint, url)).filter((n) => n.endsWith('.ckpt'))).toEqual([]);
    // The lock was released: the prefix is usable again.
    expect((await bucketNames(server.endpoint, url)).includes('.cairn.lock')).toBe(false);
  });
});
