import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { CheckpointError, readCheckpointFile } from '../../../src/index.js';
import { probeAllocations, type AllocationReport } from './alloc-probe.js';
import { resumeSetup, writeBaseCheckpoints } from './base-checkpoints.js';
import { FILE_MUTATORS, STATE_MUTATORS, type Mutator } from './mutations.js';
import { Rng } from './random.js';

/** Room for what the trainer itself allocates around a resume attempt (lock file, optimizer, ...). */
const GROWTH_SLACK = 512 * 1024;
/** A rejection taking longer than this counts as a hang. */
const HANG_MS = 15_000;

export interface FuzzResult {
  mutations: number;
  /** Refused by BOTH readCheckpointFile and the trainer's resume, with an expected check. */
  rejected: number;
  stateMutations: number;
  stateRejected: number;
  /** Per kind: [drawn, rejected]. */
  byKind: Map<string, [number, number]>;
  /** Checks that refused the mutations, with counts. */
  byCheck: Map<string, number>;
  largestRequestRatio: number;
  largestGrowth: number;
  /**
   * Tensors left allocated by refused resumes beyond what any failed fit leaves (measured on a
   * missing file): file-level refusals happen before any tensor exists; state-level ones come
   * after the weights were decoded.
   */
  leakedByFileRefusals: number;
  leakedByStateRefusals: number;
  /** Tensors any failed fit leaves behind (a missing file), subtracted from the counts above. */
  baselineLeak: number;
  problems: string[];
}

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${HANG_MS} ms`)), HANG_MS);
  });
  return Promise.race([promise, hang]).finally(() => clearTimeout(timer));
}

/** Why `report` is not an acceptable refusal, or undefined when it is. */
function judge<T>(report: AllocationReport<T>, mutator: Mutator, size: number): string | undefined {
  const { outcome } = report;
  if (outcome.ok) return 'accepted';
  const { error } = outcome;
  if (!(error instanceof CheckpointError)) return `threw ${String(error)} instead of a CheckpointError`;
  if (mutator.expect !== 'any' && !(mutator.expect as readonly string[]).includes(error.check)) return `refused by '${error.check}', expected one of ${mutator.expect.join(', ')}: ${error.message}`;
  if (report.largestRequest > size) return `requested a ${report.largestRequest}-byte buffer for a ${size}-byte file`;
  if (report.arrayBufferGrowth > size + GROWTH_SLACK) return `array buffers grew by ${report.arrayBufferGrowth} bytes for a ${size}-byte file`;
  return undefined;
}

/**
 * Damages valid Trainer-written checkpoints `count` times (kinds taken in turn, details drawn
 * from `seed`) and feeds each result to readCheckpointFile and to trainer.fit({ ckptPath }).
 * Then `stateCount` damages that keep the file valid but break the training state, which the
 * resume alone must refuse. Every refusal must be a CheckpointError that allocated no more than
 * the file's size.
 */
export async function runFuzz(dir: string, count: number, stateCount: number, seed: string): Promise<FuzzResult> {
  const bases = await writeBaseCheckpoints(dir);
  const { trainer, module, data } = resumeSetup();
  const rng = new Rng(seed);
  const target = join(dir, 'mutant.ckpt');
  const result: FuzzResult = {
    mutations: 0, rejected: 0, stateMutations: 0, stateRejected: 0, byKind: new Map(), byCheck: new Map(),
    largestRequestRatio: 0, largestGrowth: 0, leakedByFileRefusals: 0, leakedByStateRefusals: 0, baselineLeak: 0, problems: [],
  };

  // The bases themselves must pass both paths, or every refusal below would prove nothing.
  for (const base of bases) {
    await readCheckpointFile(base.path);
    await trainer.fit(module, data.train, data.val, { ckptPath: base.path });
  }
  const before = tf.memory().numTensors;
  await trainer.fit(module, data.train, data.val, { ckptPath: join(dir, 'missing.ckpt') }).catch(() => undefined);
  const baselineLeak = tf.memory().numTensors - before;
  result.baselineLeak = baselineLeak;

  const attempt = async (mutator: Mutator, i: number, fileLevel: boolean): Promise<boolean> => {
    const base = bases[i % bases.length]!;
    const bytes = mutator.apply(base.bytes, rng);
    await writeFile(target, bytes);
    const label = `#${i} ${mutator.kind} (from ${base.path.slice(dir.length + 1)}, ${bytes.length} bytes)`;
    const read = await probeAllocations(() => withTimeout(readCheckpointFile(target), 'readCheckpointFile'));
    if (fileLevel) {
      const why = judge(read, mutator, bytes.length);
      if (why !== undefined) {
        result.problems.push(`${label}: readCheckpointFile ${why}`);
        return false;
      }
    } else if (!read.outcome.ok) {
      result.problems.push(`${label}: a state-only mutation should be a valid file, but the reader refused it: ${String(read.outcome.error)}`);
      return false;
    }
    const tensorsBefore = tf.memory().numTensors;
    const resumed = await probeAllocations(() => withTimeout(trainer.fit(module, data.train, data.val, { ckptPath: target }), 'trainer.fit'));
    const leaked = tf.memory().numTensors - tensorsBefore - baselineLeak;
    if (fileLevel) result.leakedByFileRefusals += leaked;
    else result.leakedByStateRefusals += leaked;
    const why = judge(resumed, mutator, bytes.length);
    if (why !== undefined) {
      result.problems.push(`${label}: trainer.fit ${why}`);
      return false;
    }
    for (const report of [read, resumed]) {
      result.largestRequestRatio = Math.max(result.largestRequestRatio, report.largestRequest / Math.max(1, bytes.length));
      result.largestGrowth = Math.max(result.largestGrowth, report.arrayBufferGrowth - bytes.length);
    }
    const check = resumed.outcome.ok ? 'none' : (resumed.outcome.error as CheckpointError).check;
    result.byCheck.set(check, (result.byCheck.get(check) ?? 0) + 1);
    return true;
  };

  for (let i = 0; i < count; i++) {
    const mutator = FILE_MUTATORS[i % FILE_MUTATORS.length]!;
    const ok = await attempt(mutator, i, true);
    const [drawn, rejected] = result.byKind.get(mutator.kind) ?? [0, 0];
    result.byKind.set(mutator.kind, [drawn + 1, rejected + (ok ? 1 : 0)]);
    result.mutations += 1;
    if (ok) result.rejected += 1;
  }
  for (let i = 0; i < stateCount; i++) {
    const mutator = STATE_MUTATORS[i % STATE_MUTATORS.length]!;
    const ok = await attempt(mutator, count + i, false);
    result.stateMutations += 1;
    if (ok) result.stateRejected += 1;
  }
  return result;
}
