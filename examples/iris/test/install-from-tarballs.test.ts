import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { readmeExampleScript } from '../../test-helpers/readme-example.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PNPM = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { packageManager: string }).packageManager;
/** npm's cache for these installs, inside the checkout (ignored by git): the second run installs from it. */
const NPM_CACHE = join(ROOT, 'node_modules', '.cache', 'cairn-install-test', 'npm');
/** The tfjs the suite runs on: the lower end of the peer range Cairn declares. */
const TESTED_TFJS = '4.22.0';

interface Result {
  code: number | null;
  output: string;
}

/**
 * Runs a command; npm's children see no `npm_*` variables of the package manager that runs this
 * test (pnpm sets its own config there), only the local cache.
 */
function run(command: string, args: string[], cwd: string): Promise<Result> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('npm_')));
  env.npm_config_cache = NPM_CACHE;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** A fresh npm project that already depends on its own tfjs, as a user's does. */
async function userProject(tfjs: string): Promise<string> {
  const dir = await realpath(await mkdtemp(join(tmpdir(), 'cairn-user-project-')));
  const manifest = { name: 'user-project', private: true, type: 'module', dependencies: { '@tensorflow/tfjs': tfjs, '@tensorflow/tfjs-backend-wasm': tfjs } };
  await writeFile(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return dir;
}

/** Every installed copy of tfjs-core below `dir`, found on disk (npm ls aside). */
async function tfjsCoreCopies(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (modules: string): Promise<void> => {
    if (!existsSync(modules)) return;
    for (const entry of await readdir(modules, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const scoped = entry.name.startsWith('@') ? (await readdir(join(modules, entry.name))).map((name) => join(entry.name, name)) : [entry.name];
      for (const name of scoped) {
        if (name === join('@tensorflow', 'tfjs-core')) found.push(join(modules, name));
        await walk(join(modules, name, 'node_modules'));
      }
    }
  };
  await walk(join(dir, 'node_modules'));
  return found;
}

describe('installing the packed packages as a user does', () => {
  let tarballs: string[];

  beforeAll(async () => {
    const out = await realpath(await mkdtemp(join(tmpdir(), 'cairn-tarballs-')));
    await mkdir(NPM_CACHE, { recursive: true });
    for (const pkg of ['core', 'callbacks']) {
      // pnpm pack turns workspace: ranges into the real versions, as publishing does.
      const packed = await run('npx', ['-y', PNPM, 'pack', '--pack-destination', out], join(ROOT, 'packages', pkg));
      expect(packed.code, packed.output).toBe(0);
    }
    tarballs = (await readdir(out)).filter((name) => name.endsWith('.tgz')).map((name) => join(out, name));
    expect(tarballs).toHaveLength(2);
  }, 120_000);

  it(`next to the user's own tfjs ${TESTED_TFJS}: one tfjs copy, and the README example trains`, async () => {
    const dir = await userProject(TESTED_TFJS);
    const install = await run('npm', ['install', '--no-audit', '--no-fund', ...tarballs], dir);
    expect(install.code, install.output).toBe(0);

    // npm ls exits non-zero on a missing or invalid peer; --parseable prints one path per copy.
    const listed = await run('npm', ['ls', '@tensorflow/tfjs-core', '--all', '--parseable'], dir);
    expect(listed.code, listed.output).toBe(0);
    const copies = [...new Set(listed.output.trim().split('\n').filter((line) => line.includes('tfjs-core')))];
    expect(copies).toEqual([join(dir, 'node_modules', '@tensorflow', 'tfjs-core')]);
    expect(await tfjsCoreCopies(dir)).toEqual(copies);
    // @cairn/callbacks uses the user's @cairn/core too: one Callback class, so its callbacks pass the Trainer's checks.
    const cores = await run('npm', ['ls', '@cairn/core', '--all', '--parseable'], dir);
    expect(cores.code, cores.output).toBe(0);
    expect([...new Set(cores.output.trim().split('\n'))]).toEqual([join(dir, 'node_modules', '@cairn', 'core')]);

    await writeFile(join(dir, 'main.mjs'), readmeExampleScript({ resume: false }));
    const example = await run(process.execPath, ['main.mjs'], dir);
    expect(example.code, example.output).toBe(0);
    expect(example.output).toContain('cairn: backend wasm');
    expect(example.output).toMatch(/runs\/lightning_logs\/version_0\/checkpoints\/epoch=\d+-step=\d+\.ckpt/);
    const final = JSON.parse(await readFile(join(dir, 'final.json'), 'utf8')) as { epochs: number };
    expect(final.epochs).toBeGreaterThan(0);
    await rm(dir, { recursive: true, force: true });
  }, 180_000);

  it('next to a tfjs outside the peer range: npm refuses to install rather than add a second copy', async () => {
    const dir = await userProject('4.21.0');
    const install = await run('npm', ['install', '--no-audit', '--no-fund', ...tarballs], dir);
    expect(install.code, install.output).not.toBe(0);
    expect(install.output).toMatch(/ERESOLVE/);
    expect(install.output).toMatch(/peer @tensorflow\/tfjs(-backend-wasm)?@"\^4\.22\.0" from @cairn\/(core|callbacks)/);
    expect(await tfjsCoreCopies(dir)).toEqual([]);
    await rm(dir, { recursive: true, force: true });
  }, 180_000);
});
