import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { registerS3, S3Store } from '@cairn/s3';
import { leg, tmp } from './helpers/fit.js';
import { startS3, storageFor, type RunningS3 } from './helpers/s3-server.js';
import { weights } from './helpers/tiny.js';

let server: RunningS3;
let prefixes = 0;

beforeAll(async () => {
  server = await startS3();
  registerS3(storageFor(server.endpoint));
});
afterAll(async () => {
  await server.close();
});

const newPrefix = (): string => `s3://bucket/run${++prefixes}`;

async function bucketNames(url: string): Promise<string[]> {
  const store = new S3Store(new URL(url), storageFor(server.endpoint));
  const names = (await store.list()).map(({ key }) => key).sort();
  store.destroy();
  return names;
}

async function bucketText(url: string, key: string): Promise<string> {
  const store = new S3Store(new URL(url), storageFor(server.endpoint));
  const bytes = await store.read(key);
  store.destroy();
  return new TextDecoder().decode(bytes);
}

const ranked = (dirpath: string, extra: Record<string, unknown> = {}) => ({ dirpath, monitor: 'val_loss', saveTopK: 2, saveLast: true, filename: '{epoch}-{val_loss:.6f}', ...extra });

describe('ModelCheckpoint with an s3:// dirpath (an S3-API server on loopback)', () => {
  it('keeps the top k, last and best_k_models.yaml in the bucket; paths are URLs', async () => {
    const url = newPrefix();
    const { trainer, checkpoints, error } = await leg(await tmp(), [ranked(url)]);
    expect(error).toBeUndefined();
    const mc = checkpoints[0]!;
    const names = await bucketNames(url);
    expect(names.filter((n) => n.startsWith('epoch='))).toHaveLength(2);
    expect(names).toContain('last.ckpt');
    expect(names).toContain('best_k_models.yaml');
    expect(names).not.toContain('.cairn.lock');
    expect(mc.bestModelPath.startsWith(`${url}/epoch=`)).toBe(true);
    expect(Object.keys(mc.bestKModels).sort()).toEqual(names.filter((n) => n.startsWith('epoch=')).map((n) => `${url}/${n}`));
    expect(trainer.result!.lastModelPath).toBe(`${url}/last.ckpt`);
    expect(parse(await bucketText(url, 'best_k_models.yaml'))).toEqual(mc.bestKModels);
  });

  it('a run killed mid-way resumes from the bucket in a fresh folder, bit-identical to an uninterrupted run', async () => {
    const straightUrl = newPrefix();
    const straight = await leg(await tmp(), [ranked(straightUrl)]);
    expect(straight.error).toBeUndefined();

    const url = newPrefix();
    const first = await leg(await tmp(), [ranked(url, { everyNTrainSteps: 2 })], { crashAfter: 7 });
    expect(String(first.error)).toContain('simulated crash');
    // A new machine: no local file at all.
    const fresh = await tmp();
    const second = await leg(fresh, [ranked(url, { everyNTrainSteps: 2 })], { ckptPath: 'last' });
    expect(second.error).toBeUndefined();
    expect(second.trainer.ckptPath?.startsWith(fresh)).toBe(true);

    const reference = await leg(await tmp(), [ranked(newPrefix(), { everyNTrainSteps: 2 })]);
    expect(await weights(second.module)).toEqual(await weights(reference.module));
    expect(await bucketNames(url)).toEqual(await bucketNames(reference.checkpoints[0]!.dirpath!));
    expect(Object.keys(second.checkpoints[0]!.bestKModels).map((p) => p.slice(url.length))).toEqual(
      Object.keys(reference.checkpoints[0]!.bestKModels).map((p) => p.slice(reference.checkpoints[0]!.dirpath!.length)),
    );
  });

  it("ckptPath 'best' and a URL below the prefix resolve against the bucket", async () => {
    const url = newPrefix();
    const run = await leg(await tmp(), [ranked(url)], { maxEpochs: 2 });
    const best = run.checkpoints[0]!.bestModelPath;
    const byBest = await leg(await tmp(), [ranked(url)], { maxEpochs: 3, ckptPath: 'best' });
    expect(byBest.error).toBeUndefined();
    expect(byBest.trainer.ckptPath?.endsWith(best.slice(url.length + 1))).toBe(true);
    const byUrl = await leg(await tmp(), [ranked(url)], { maxEpochs: 3, ckptPath: `${url}/last.ckpt` });
    expect(byUrl.error).toBeUndefined();
    expect(byUrl.trainer.ckptPath?.endsWith('last.ckpt')).toBe(true);
  });

  it('keepLocal false leaves no local copy; the default keeps verified copies in the staging folder', async () => {
    const root = await tmp();
    const staging = join(root, 'staging-here');
    const dropped = await leg(root, [ranked(newPrefix(), { remote: { keepLocal: false, stagingDir: staging } })], { maxEpochs: 2 });
    expect(dropped.error).toBeUndefined();
    expect((await readdir(staging)).filter((n) => n.endsWith('.ckpt'))).toEqual([]);
    const kept = await leg(root, [ranked(newPrefix(), { remote: { stagingDir: join(root, 'kept') } })], { maxEpochs: 2 });
    expect(kept.error).toBeUndefined();
    expect((await readdir(join(root, 'kept'))).filter((n) => n.endsWith('.ckpt')).sort()).toEqual((await bucketNames(kept.checkpoints[0]!.dirpath!)).filter((n) => n.endsWith('.ckpt')));
  });

  it('several destinations at once: a local folder every 2 steps and a bucket every epoch, each with its own policy', async () => {
    const root = await tmp();
    const url = newPrefix();
    const local = join(root, 'local-ckpts');
    const run = await leg(root, [
      { dirpath: local, everyNTrainSteps: 2, saveTopK: 1 },
      { dirpath: url, monitor: 'val_loss', saveTopK: 3 },
    ]);
    expect(run.error).toBeUndefined();
    expect((await readdir(local)).filter((n) => n.endsWith('.ckpt'))).toHaveLength(1);
    expect((await bucketNames(url)).filter((n) => n.endsWith('.ckpt'))).toHaveLength(3);
    // 'last' takes the newest of both.
    const resumed = await leg(await tmp(), [{ dirpath: local, everyNTrainSteps: 2, saveTopK: 1 }, { dirpath: url, monitor: 'val_loss', saveTopK: 3 }], { maxEpochs: 5, ckptPath: 'last' });
    expect(resumed.error).toBeUndefined();
    expect(existsSync(resumed.trainer.ckptPath!)).toBe(true);
  });

  it("saveLast 'link' makes last.ckpt a server-side copy of the newest file, once that one is durable", async () => {
    const url = newPrefix();
    const run = await leg(await tmp(), [{ dirpath: url, everyNTrainSteps: 3, filename: '{step}', saveTopK: 1, saveLast: 'link' }], { maxEpochs: 2 });
    expect(run.error).toBeUndefined();
    const names = await bucketNames(url);
    expect(names.filter((n) => n.endsWith('.ckpt'))).toEqual(['last.ckpt', 'step=9.ckpt']);
    const store = new S3Store(new URL(url), storageFor(server.endpoint));
    expect(await store.readBackSha256('last.ckpt')).toBe(await store.readBackSha256('step=9.ckpt'));
    store.destroy();
  });

  it('retention works the same in the bucket: keepLastN rotates, keepPeriod keeps for good', async () => {
    const url = newPrefix();
    const run = await leg(await tmp(), [{ dirpath: url, everyNTrainSteps: 1, filename: '{step}', keepLastN: 2, keepPeriod: 7 }], { maxEpochs: 2 });
    expect(run.error).toBeUndefined();
    expect((await bucketNames(url)).filter((n) => n.endsWith('.ckpt'))).toEqual(['step=10.ckpt', 'step=7.ckpt', 'step=9.ckpt']);
  });

  it('a second trainer on the same prefix is refused while the first runs', async () => {
    const url = newPrefix();
    const { ModelCheckpoint, Trainer, Callback } = await import('@cairn/core');
    let inner: unknown;
    class SecondTrainer extends Callback {
      override async onTrainBatchEnd(trainer: InstanceType<typeof Trainer>): Promise<void> {
        if (trainer.globalStep !== 1) return;
        const other = await leg(await tmp(), [ranked(url)], { maxEpochs: 1 });
        inner = other.error;
      }
    }
    const trainer = new Trainer({ enableProgressBar: false, accelerator: 'cpu', seed: 1, print: () => undefined, defaultRootDir: await tmp(), maxEpochs: 1, callbacks: [new ModelCheckpoint(ranked(url)), new SecondTrainer()] });
    const { loaders, Tiny } = await import('./helpers/tiny.js');
    const { train, val } = loaders();
    await trainer.fit(new Tiny(), train, val);
    expect(String(inner)).toMatch(/checkpoint prefix s3:\/\/bucket\/run\d+ is in use by another trainer/);
    // Released at the end: a later fit takes it.
    expect((await leg(await tmp(), [ranked(url)], { maxEpochs: 1 })).error).toBeUndefined();
  });

  it('refuses a bad URL, an unregistered scheme and unknown storage options at construction', async () => {
    const { ModelCheckpoint } = await import('@cairn/core');
    expect(() => new ModelCheckpoint({ dirpath: 'gs://bucket/x' })).toThrow(/no storage is registered for gs:\/\//);
    expect(() => new ModelCheckpoint({ dirpath: 's3://bucket/x', remote: { storage: { endpont: 'http://x' } } })).toThrow(/unknown option 'endpont'/);
    expect(() => new ModelCheckpoint({ dirpath: 's3://bucket/x', remote: { keepLocl: true } as never })).toThrow(/unknown option 'keepLocl'/);
    expect(() => new ModelCheckpoint({ dirpath: '/tmp/x', remote: { keepLocal: false } })).toThrow(/remote applies to a URL dirpath/);
    expect(() => new ModelCheckpoint({ dirpath: 's3://bucket/../x' })).toThrow(/not allowed|not a valid/);
  });
});
