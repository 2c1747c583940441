import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { readCheckpointFile, readCheckpointMetadata, readValues } from '@cairn/core';
import { averageCheckpoints } from '../src/index.js';
import { cairn, FIXTURE, tempDir, writeRunConfig } from './helpers/run-cli.js';

let dir: string;
let ckpts: string;

/** Checkpoints written by the built binary itself: epochs 0-2 (every one kept) and last. */
beforeAll(async () => {
  dir = await tempDir();
  ckpts = join(dir, 'ckpts');
  const run = await cairn(['fit', '--config', await writeRunConfig(dir)]);
  expect(run.code, run.stderr).toBe(0);
});

async function corruptCopy(name: string, damage: (path: string) => Promise<void>): Promise<string> {
  const bad = join(dir, 'bad', name);
  await mkdir(join(dir, 'bad'), { recursive: true });
  await copyFile(join(ckpts, 'epoch=1.ckpt'), bad);
  await damage(bad);
  return bad;
}

async function flipLastByte(path: string): Promise<void> {
  const bytes = await readFile(path);
  bytes[bytes.length - 1] ^= 0x40;
  await writeFile(path, bytes);
}

const weightsOf = async (path: string): Promise<Map<string, Float64Array>> => {
  const file = await readCheckpointFile(path);
  return new Map([...file.tensors.values()].filter((t) => t.name.startsWith('module.')).map((t) => [t.name, readValues(t.dtype, t.data)]));
};

describe('cairn ckpt ls', () => {
  it('lists every checkpoint with epoch, step, monitored score, size and validity', async () => {
    const bad = await corruptCopy('flipped.ckpt', flipLastByte);
    await copyFile(bad, join(ckpts, 'zz-flipped.ckpt'));
    onTestFinished(() => rm(join(ckpts, 'zz-flipped.ckpt')));
    const run = await cairn(['ckpt', 'ls', ckpts, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const rows = JSON.parse(run.stdout) as { file: string; epoch: number; step: number; monitor: string; score: number; bytes: number; valid: boolean; problem: string | null }[];
    // Epoch and step as the file records them (a corrupt file still shows its header's).
    const recorded = async (name: string): Promise<number> => Number((await readCheckpointMetadata(join(ckpts, name)))['cairn.epoch']);
    expect(rows.map((r) => [r.file, r.epoch, r.step, r.valid])).toEqual([
      ['epoch=0.ckpt', await recorded('epoch=0.ckpt'), 5, true], ['epoch=1.ckpt', await recorded('epoch=1.ckpt'), 10, true],
      ['epoch=2.ckpt', await recorded('epoch=2.ckpt'), 15, true], ['last.ckpt', await recorded('last.ckpt'), 15, true], ['zz-flipped.ckpt', await recorded('epoch=1.ckpt'), 10, false],
    ]);
    for (const r of rows.slice(0, 4)) expect(r).toMatchObject({ monitor: 'val_loss', score: expect.any(Number), bytes: (await stat(join(ckpts, r.file))).size });
    expect(rows[4]!.problem).toContain('checksum');
    const yaml = await readFile(join(ckpts, 'best_k_models.yaml'), 'utf8');
    expect(yaml).toContain(String(rows[0]!.score));
    const text = await cairn(['ckpt', 'ls', ckpts]);
    expect(text.stdout.split('\n')[0]).toMatch(/^file\s+epoch\s+step\s+score\s+size\s+valid$/);
    expect(text.stdout).toContain('NO (checksum');
  });

  it('fails clearly on a missing folder (2) and on a folder without checkpoints (1)', async () => {
    expect(await cairn(['ckpt', 'ls', join(dir, 'nope')])).toMatchObject({ code: 2, stderr: expect.stringContaining('no such file or folder') });
    const empty = await tempDir();
    expect(await cairn(['ckpt', 'ls', empty])).toMatchObject({ code: 1, stderr: expect.stringContaining('no .ckpt files') });
  });
});

describe('cairn ckpt inspect', () => {
  it('shows metadata, tensors, optimizer and callbacks', async () => {
    const run = await cairn(['ckpt', 'inspect', join(ckpts, 'epoch=1.ckpt'), '--json']);
    expect(run.code, run.stderr).toBe(0);
    const info = JSON.parse(run.stdout) as { tensors: { name: string; dtype: string; shape: number[] }[]; optimizer: { className: string }; callbacks: Record<string, unknown>; hyperParameters: unknown; metadata: Record<string, unknown> };
    expect(info.tensors.filter((t) => t.name.startsWith('module.'))).toEqual([
      { name: 'module.net.0.bias', dtype: 'F32', shape: [4], bytes: 16 }, { name: 'module.net.0.kernel', dtype: 'F32', shape: [3, 4], bytes: 48 },
      { name: 'module.net.1.bias', dtype: 'F32', shape: [1], bytes: 4 }, { name: 'module.net.1.kernel', dtype: 'F32', shape: [4, 1], bytes: 16 },
    ].sort((a, b) => info.tensors.findIndex((t) => t.name === a.name) - info.tensors.findIndex((t) => t.name === b.name)));
    expect(info.optimizer.className).toBe('Adam');
    expect(Object.keys(info.callbacks).some((key) => key.startsWith('ModelCheckpoint'))).toBe(true);
    expect(info.hyperParameters).toEqual({ hidden: 4, lr: 0.05 });
    expect(info.metadata['cairn.global_step']).toBe(10);
    const text = await cairn(['ckpt', 'inspect', join(ckpts, 'epoch=1.ckpt')]);
    expect(text.stdout).toMatch(/module\.net\.0\.kernel\s+F32\s+\[3, 4\]/);
    expect(text.stdout).toContain('"className": "Adam"');
  });

  it('refuses a corrupt file naming the check', async () => {
    const bad = await corruptCopy('inspect-flip.ckpt', flipLastByte);
    expect(await cairn(['ckpt', 'inspect', bad])).toMatchObject({ code: 1, stderr: expect.stringContaining('checksum check failed') });
  });
});

describe('cairn ckpt verify', () => {
  it('passes a folder of good files (exit 0) and fails each kind of damage (exit 1), naming the check', async () => {
    const good = await cairn(['ckpt', 'verify', ckpts]);
    expect(good.code, good.stderr).toBe(0);
    expect(good.stdout).toContain('4 file(s) verified');
    const flipped = await corruptCopy('flip.ckpt', flipLastByte);
    const cut = await corruptCopy('cut.ckpt', async (path) => truncate(path, (await stat(path)).size - 3));
    const header = await corruptCopy('header.ckpt', async (path) => {
      const bytes = await readFile(path);
      bytes[8] = 0x5b; // '{' -> '[': the header is no longer a JSON object
      await writeFile(path, bytes);
    });
    const run = await cairn(['ckpt', 'verify', join(dir, 'bad'), '--json']);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as { ok: boolean; files: { file: string; ok: boolean; check?: string }[] };
    expect(report.ok).toBe(false);
    const checkOf = (path: string): string | undefined => report.files.find((f) => f.file.endsWith(path.slice(path.lastIndexOf('/'))))?.check;
    expect(checkOf(flipped)).toBe('checksum');
    expect(checkOf(cut)).toBe('truncated');
    expect(['header-json', 'header-object']).toContain(checkOf(header));
    const one = await cairn(['ckpt', 'verify', flipped]);
    expect(one.code).toBe(1);
    expect(one.stdout).toContain('checksum check failed');
    expect(await cairn(['ckpt', 'verify', join(dir, 'missing.ckpt')])).toMatchObject({ code: 2 });
  });
});

describe('cairn ckpt diff', () => {
  it('reports which tensors differ and by how much; exit 1 when they differ, 0 when identical', async () => {
    const a = join(ckpts, 'epoch=0.ckpt');
    const b = join(ckpts, 'epoch=1.ckpt');
    const run = await cairn(['ckpt', 'diff', a, b, '--json']);
    expect(run.code).toBe(1);
    const diff = JSON.parse(run.stdout) as { identical: boolean; tensors: { name: string; status: string; maxAbsDiff?: number; differing?: number }[]; metadata: { key: string }[] };
    const [wa, wb] = [await weightsOf(a), await weightsOf(b)];
    for (const [name, va] of wa) {
      const vb = wb.get(name)!;
      const expected = Math.max(...va.map((v, i) => Math.abs(v - vb[i]!)));
      expect(diff.tensors.find((t) => t.name === name)).toMatchObject({ status: 'different', maxAbsDiff: expected });
    }
    expect(diff.metadata.map((m) => m.key)).toContain('cairn.epoch');
    // last.ckpt holds the same state as epoch=2.ckpt; only ModelCheckpoint's record in `extra` differs.
    const last = await cairn(['ckpt', 'diff', join(ckpts, 'epoch=2.ckpt'), join(ckpts, 'last.ckpt'), '--json']);
    expect(last.code).toBe(1);
    const lastDiff = JSON.parse(last.stdout) as { tensors: { status: string }[]; metadata: { key: string }[] };
    expect(lastDiff.tensors.every((t) => t.status === 'same')).toBe(true);
    expect(lastDiff.metadata.map((m) => m.key)).toEqual(['cairn.extra']);
    await copyFile(join(ckpts, 'epoch=2.ckpt'), join(dir, 'copy.ckpt'));
    const same = await cairn(['ckpt', 'diff', join(ckpts, 'epoch=2.ckpt'), join(dir, 'copy.ckpt')]);
    expect(same.code, same.stdout).toBe(0);
    expect(same.stdout).toMatch(/(\d+) tensors: \1 identical, 0 not/);
  });
});

describe('cairn ckpt average', () => {
  it('writes the element-wise mean as a verified weights-only checkpoint', async () => {
    const inputs = ['epoch=0.ckpt', 'epoch=1.ckpt', 'epoch=2.ckpt'].map((n) => join(ckpts, n));
    const out = join(dir, 'avg', 'mean.ckpt');
    await mkdir(join(dir, 'avg'));
    const run = await cairn(['ckpt', 'average', ...inputs, '-o', out]);
    expect(run.code, run.stderr).toBe(0);
    const all = await Promise.all(inputs.map(weightsOf));
    const mean = await weightsOf(out);
    for (const [name, values] of mean) {
      values.forEach((v, i) => expect(v).toBe(Math.fround(all.reduce((sum, w) => sum + w.get(name)![i]!, 0) / 3)));
    }
    expect(mean.size).toBe(4);
    const info = JSON.parse((await cairn(['ckpt', 'inspect', out, '--json'])).stdout) as { metadata: Record<string, unknown>; optimizer: unknown };
    expect(info.metadata['cairn.weights_only']).toBe(true);
    expect(info.metadata['cairn.extra']).toEqual({ averagedFrom: ['epoch=0.ckpt', 'epoch=1.ckpt', 'epoch=2.ckpt'] });
    expect(info.optimizer).toBeNull();
    expect((await cairn(['ckpt', 'verify', out])).code).toBe(0);
  });

  it('refuses checkpoints of different architectures, and fewer than two files', async () => {
    const other = await tempDir();
    const fit = await cairn(['fit', '--config', await writeRunConfig(other), '--model.initArgs.hidden', '5', '--trainer.maxEpochs', '1']);
    expect(fit.code, fit.stderr).toBe(0);
    const run = await cairn(['ckpt', 'average', join(ckpts, 'epoch=0.ckpt'), join(other, 'ckpts', 'epoch=0.ckpt'), '-o', join(dir, 'never.ckpt')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('different architectures');
    expect(run.stderr).toContain("weight 'module.net.0.bias' has shape [4] in one file and [5] in the other");
    // The API refuses the same files, before writing anything.
    await expect(averageCheckpoints([join(ckpts, 'epoch=0.ckpt'), join(other, 'ckpts', 'epoch=0.ckpt')], join(dir, 'never-api.ckpt'))).rejects.toThrow('different architectures');
    expect(existsSync(join(dir, 'never-api.ckpt'))).toBe(false);
    expect(await cairn(['ckpt', 'average', join(ckpts, 'epoch=0.ckpt'), '-o', join(dir, 'never.ckpt')])).toMatchObject({ code: 2, stderr: expect.stringContaining('at least two') });
    expect(await cairn(['ckpt', 'average', join(ckpts, 'epoch=0.ckpt'), join(ckpts, 'epoch=1.ckpt')])).toMatchObject({ code: 2, stderr: expect.stringContaining("required option '-o, --out <file>'") });
  });
});

describe('cairn ckpt convert', () => {
  it('writes smaller float16 / bfloat16 weights-only files that verify and keep the values to their precision', async () => {
    const source = join(ckpts, 'epoch=2.ckpt');
    const original = await weightsOf(source);
    for (const [dtype, fileDtype, relative] of [['float16', 'F16', 2 ** -11], ['bfloat16', 'BF16', 2 ** -8]] as const) {
      const out = join(dir, `half-${dtype}.ckpt`);
      const run = await cairn(['ckpt', 'convert', source, '--dtype', dtype, '-o', out, '--json']);
      expect(run.code, run.stderr).toBe(0);
      expect((await stat(out)).size).toBeLessThan((await stat(source)).size);
      const file = await readCheckpointFile(out);
      expect([...file.tensors.values()].map((t) => t.dtype)).toEqual([fileDtype, fileDtype, fileDtype, fileDtype]);
      for (const [name, values] of await weightsOf(out)) {
        values.forEach((v, i) => expect(Math.abs(v - original.get(name)![i]!)).toBeLessThanOrEqual(Math.abs(original.get(name)![i]!) * relative + 1e-7));
      }
      expect((await cairn(['ckpt', 'verify', out])).code).toBe(0);
    }
    expect(await cairn(['ckpt', 'convert', source, '--dtype', 'int8', '-o', join(dir, 'x.ckpt')])).toMatchObject({ code: 2, stderr: expect.stringContaining('Allowed choices are float16, bfloat16') });
  });
});

describe('cairn ckpt export', () => {
  it("exports the module's LayersModel in TF.js's format, from a full or a converted checkpoint", async () => {
    const out = join(dir, 'tfjs');
    const run = await cairn(['ckpt', 'export', join(ckpts, 'epoch=2.ckpt'), '--format', 'tfjs', '-o', out, '--module', `${FIXTURE}#TinyModule`]);
    expect(run.code, run.stderr).toBe(0);
    const model = JSON.parse(await readFile(join(out, 'model.json'), 'utf8')) as { weightsManifest: { weights: { shape: number[] }[] }[] };
    const elements = model.weightsManifest[0]!.weights.reduce((sum, w) => sum + w.shape.reduce((a, b) => a * b, 1), 0);
    expect((await stat(join(out, 'weights.bin'))).size).toBe(elements * 4);
    // The weights are the checkpoint's, in the manifest's order.
    const bin = new Float32Array((await readFile(join(out, 'weights.bin'))).buffer.slice(0));
    const weights = await weightsOf(join(ckpts, 'epoch=2.ckpt'));
    expect(Array.from(bin.subarray(0, 12))).toEqual(Array.from(weights.get('module.net.0.kernel')!));
    const half = join(dir, 'half-float16.ckpt');
    expect((await cairn(['ckpt', 'export', half, '-o', join(dir, 'tfjs-half'), '--module', `${FIXTURE}#TinyModule`])).code).toBe(0);
    expect(await cairn(['ckpt', 'export', half, '-o', join(dir, 'x'), '--module', `${FIXTURE}#Missing`])).toMatchObject({ code: 2, stderr: expect.stringContaining("has no export 'Missing'") });
    expect(await cairn(['ckpt', 'export', half, '-o', join(dir, 'x'), '--module', FIXTURE])).toMatchObject({ code: 2, stderr: expect.stringContaining("must be 'path/to/file.ts#ExportName'") });
  });
});

describe('cairn --help and usage errors', () => {
  it('prints help (exit 0) and rejects unknown commands and options (exit 2)', async () => {
    const [top, ckpt, unknown, badOption] = await Promise.all([cairn(['--help']), cairn(['ckpt', 'verify', '--help']), cairn(['frobnicate']), cairn(['ckpt', 'ls', '.', '--colour'])]);
    expect(top).toMatchObject({ code: 0, stdout: expect.stringContaining('ckpt') });
    expect(ckpt).toMatchObject({ code: 0, stdout: expect.stringContaining('exit 0 only if every file passes') });
    expect(unknown).toMatchObject({ code: 2, stderr: expect.stringContaining("unknown command 'frobnicate'") });
    expect(badOption).toMatchObject({ code: 2, stderr: expect.stringContaining("unknown option '--colour'") });
  });
});

describe('cairn ckpt diff and convert on bad input', () => {
  it('a missing file is a usage error (2); a corrupt one fails (1) naming the check', async () => {
    const bad = await corruptCopy('diff-flipped.ckpt', flipLastByte);
    expect(await cairn(['ckpt', 'diff', join(ckpts, 'epoch=0.ckpt'), join(dir, 'missing.ckpt')])).toMatchObject({ code: 2, stderr: expect.stringContaining('no such file') });
    expect(await cairn(['ckpt', 'diff', join(ckpts, 'epoch=0.ckpt'), bad])).toMatchObject({ code: 1, stderr: expect.stringContaining('checksum check failed') });
    const out = join(dir, 'never-converted.ckpt');
    expect(await cairn(['ckpt', 'convert', bad, '--dtype', 'float16', '-o', out])).toMatchObject({ code: 1, stderr: expect.stringContaining('checksum check failed') });
    expect(existsSync(out)).toBe(false);
  });
});
