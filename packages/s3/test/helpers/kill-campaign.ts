import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bucketNames, verifyInBucket } from './bucket-check.js';
import { FaultProxy } from './fault-proxy.js';
import { tmp } from './fit.js';
import { SERVER_NAME, startS3 } from './s3-server.js';

const PACKAGE_ROOT = join(import.meta.dirname, '../..');
const FIXTURE = join(PACKAGE_ROOT, 'test/fixtures/s3-train.ts');

interface ChildRun {
  lines: string[];
  killed: boolean;
  /** A checkpoint upload was in flight through the proxy when the kill came. */
  killedDuringUpload: boolean;
  code: number | null;
  stderr: string;
}

/** Runs the training child in a fresh folder; SIGKILLs it `killAfterMs` after it reports ready. */
function runChild(root: string, url: string, endpoint: string, proxy: FaultProxy, killAfterMs?: number): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, root, url, endpoint], { cwd: PACKAGE_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const run: ChildRun = { lines: [], killed: false, killedDuringUpload: false, code: null, stderr: '' };
    const hang = setTimeout(() => child.kill('SIGKILL'), 300_000);
    let pending = '';
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        run.lines.push(line);
        if (line.startsWith('ready') && killAfterMs !== undefined) {
          setTimeout(() => {
            if (child.exitCode !== null) return;
            run.killedDuringUpload = [...proxy.inFlight].some((request) => request.startsWith('PUT') && request.includes('.ckpt'));
            run.killed = child.kill('SIGKILL');
          }, killAfterMs);
        }
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (run.stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(hang);
      run.code = code;
      resolve(run);
    });
  });
}

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

export interface CampaignResult {
  trials: number;
  /** Trials whose first run ended before its kill moment (nothing to resume but the end). */
  finishedFirst: number;
  kills: number;
  duringUpload: number;
  resumedFromBucket: number;
  differingFinals: number;
  brokenInBucket: number;
  summary: string;
}

/**
 * `kills` trials, each on its own prefix: a run SIGKILLed at a seeded random moment (uploads
 * slowed by a proxy so that many kills land inside one), then a run in a fresh folder that
 * resumes from the bucket with 'last' and finishes. Each must end with the final weights of an
 * uninterrupted run and the bucket of one; after the kill, every checkpoint in the bucket must be whole.
 */
export async function runS3KillCampaign(kills: number, seed: number, maxDelayMs: number): Promise<CampaignResult> {
  const server = await startS3();
  const proxy = new FaultProxy({ host: '127.0.0.1', port: server.port });
  await proxy.start();
  proxy.plan = (method, path) => (method === 'PUT' && path.includes('.ckpt') ? { kind: 'delay', ms: 80 } : undefined);
  const random = seeded(seed);
  const result: CampaignResult = { trials: kills, finishedFirst: 0, kills: 0, duringUpload: 0, resumedFromBucket: 0, differingFinals: 0, brokenInBucket: 0, summary: '' };
  const failures: string[] = [];
  try {
    const referenceRoot = await tmp();
    const referenceUrl = 's3://bucket/reference';
    const reference = await runChild(referenceRoot, referenceUrl, proxy.endpoint, proxy);
    if (!reference.lines.includes('done')) throw new Error(`reference run failed: ${reference.lines.join(' | ')} ${reference.stderr}`);
    const expected = await readFile(join(referenceRoot, 'final.json'), 'utf8');
    const expectedNames = await bucketNames(server.endpoint, referenceUrl);
    for (let trial = 0; trial < kills; trial++) {
      const url = `s3://bucket/trial${trial}`;
      const first = await runChild(await tmp(), url, proxy.endpoint, proxy, Math.floor(random() * maxDelayMs));
      if (first.killed) result.kills++;
      else result.finishedFirst++;
      if (first.killedDuringUpload) result.duringUpload++;
      const afterKill = (await bucketNames(server.endpoint, url)).filter((n) => n.endsWith('.ckpt'));
      try {
        await verifyInBucket(server.endpoint, url, afterKill.map((n) => `${url}/${n}`));
      } catch (error) {
        result.brokenInBucket++;
        failures.push(`trial ${trial}: after the kill: ${(error as Error).message}`);
      }
      const secondRoot = await tmp();
      const second = await runChild(secondRoot, url, proxy.endpoint, proxy);
      if (!second.lines.includes('done')) {
        failures.push(`trial ${trial}: resume failed: ${second.lines.slice(-3).join(' | ')} ${second.stderr.slice(-500)}`);
        result.differingFinals++;
        continue;
      }
      if (first.killed && second.lines.some((line) => line.startsWith('ready ') && line !== 'ready -')) result.resumedFromBucket++;
      if ((await readFile(join(secondRoot, 'final.json'), 'utf8')) !== expected) {
        result.differingFinals++;
        failures.push(`trial ${trial}: final weights differ from the uninterrupted run`);
      }
      const names = await bucketNames(server.endpoint, url);
      if (JSON.stringify(names) !== JSON.stringify(expectedNames)) failures.push(`trial ${trial}: bucket ${names.join(',')} != ${expectedNames.join(',')}`);
      try {
        await verifyInBucket(server.endpoint, url, names.filter((n) => n.endsWith('.ckpt')).map((n) => `${url}/${n}`));
      } catch (error) {
        result.brokenInBucket++;
        failures.push(`trial ${trial}: at the end: ${(error as Error).message}`);
      }
    }
  } finally {
    await proxy.stop();
    await server.close();
  }
  result.summary =
    `S3 kill campaign (${SERVER_NAME}, seed ${seed}): ${result.trials} trials, ${result.kills} SIGKILLs (${result.duringUpload} with a checkpoint upload in flight, ` +
    `${result.finishedFirst} runs finished before their kill moment), ${result.resumedFromBucket} killed runs resumed from the bucket in a fresh folder, ${result.differingFinals} final weights differing from the uninterrupted run, ` +
    `${result.brokenInBucket} missing or corrupt checkpoints in the bucket`;
  if (failures.length > 0) result.summary += `; failures: ${failures.join('; ')}`;
  return result;
}
