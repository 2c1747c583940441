import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { selectBackend, type Accelerator } from '../../src/backend/select-backend.js';
import { CHUNK_BYTES } from '../../src/checkpoint/file/buffer-pool.js';
import { CheckpointError, readCheckpointFile, streamCheckpointFile, writeCheckpointFile, type TensorRecord } from '../../src/checkpoint/file/index.js';
import { loadCheckpoint } from '../../src/checkpoint/load-checkpoint.js';
import { decodeState } from '../../src/checkpoint/state-codec.js';
import { buildTensor } from '../../src/checkpoint/tensor-builder.js';
import { fromRecord } from '../../src/checkpoint/tensor-memory.js';
import { record, tempFolders } from './file/helpers.js';

// A pass-through spy: shows which records become tensors.
vi.mock('../../src/checkpoint/tensor-builder.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/checkpoint/tensor-builder.js')>();
  return { ...actual, buildTensor: vi.fn(actual.buildTensor) };
});

const folders = tempFolders();
afterEach(() => folders.cleanup());

/** A minimal full-state file: two module weights larger than one read chunk together, one Adam-like slot. */
function stateRecords(): TensorRecord[] {
  return [
    record('module.dense/kernel', 'F32', [3 << 20], 1),
    record('module.dense/bias', 'F32', [7], 2),
    record('optimizer.dense/kernel/m', 'F32', [3 << 20], 3),
    record('optimizer.unlisted', 'F32', [2], 4),
  ];
}

const METADATA: Record<string, string> = {
  'cairn.weights_only': 'false',
  'cairn.epoch': '1',
  'cairn.global_step': '9',
  'cairn.progress': '{"epoch":1,"globalStep":9,"batchesDone":4}',
  'cairn.callbacks': '{}',
  'cairn.optimizer': '{"className":"Adam","config":{},"slotNames":["dense/kernel/m"]}',
};

/** Byte-exact equality that stays fast on megabytes (toEqual walks element by element). */
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
const bits = (t: tf.Tensor): Uint8Array => new Uint8Array(t.dataSync().slice().buffer);

describe('streamCheckpointFile', () => {
  it('hands every byte of the tensors asked for once, in order, as the full read returns them', async () => {
    const path = join(await folders.make(), 's.ckpt');
    await writeCheckpointFile(path, stateRecords(), METADATA);
    const full = await readCheckpointFile(path);
    const received = new Map<string, Uint8Array>();
    const calls: number[] = [];
    const streamed = await streamCheckpointFile(path, {}, (entry) => {
      if (entry.name === 'module.dense/bias') return undefined;
      const bytes = new Uint8Array(entry.end - entry.begin);
      let expected = 0;
      received.set(entry.name, bytes);
      return {
        accept(chunk, offset) {
          expect(offset).toBe(expected);
          expected += chunk.length;
          calls.push(chunk.length);
          bytes.set(chunk, offset);
        },
      };
    });
    expect(streamed.entries.map((e) => e.name)).toEqual([...full.tensors.keys()]);
    expect([...received.keys()].sort()).toEqual(['module.dense/kernel', 'optimizer.dense/kernel/m', 'optimizer.unlisted']);
    for (const [name, bytes] of received) expect(same(bytes, full.tensors.get(name)!.data)).toBe(true);
    // The 12 MiB kernel spans two chunks: it arrived in pieces, none larger than a chunk.
    expect(Math.max(...calls)).toBeLessThanOrEqual(CHUNK_BYTES);
    expect(calls.length).toBeGreaterThan(3);
  });

  it('still refuses a file whose data were changed, after handing its tensors over', async () => {
    const path = join(await folders.make(), 'bad.ckpt');
    await writeCheckpointFile(path, stateRecords(), METADATA);
    const bytes = await readFile(path);
    bytes[bytes.length - 3]! ^= 0x10;
    await writeFile(path, bytes);
    let handed = 0;
    const error = await streamCheckpointFile(path, {}, () => ({ accept: () => handed++ })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as CheckpointError).check).toBe('checksum');
    expect(handed).toBeGreaterThanOrEqual(4);
  });
});

describe.each<Accelerator>(['cpu', 'wasm'])('loadCheckpoint on %s', (accelerator) => {
  it('gives the same state as decoding a full read, and leaves no unused tensor behind', async () => {
    await selectBackend(accelerator);
    const path = join(await folders.make(), 's.ckpt');
    await writeCheckpointFile(path, stateRecords(), METADATA);
    const before = tf.memory().numTensors;
    const streamed = await loadCheckpoint(path);
    const full = await readCheckpointFile(path);
    const reference = decodeState(path, full.tensors, full.metadata, fromRecord);
    expect([...streamed.weights.keys()]).toEqual([...reference.weights.keys()]);
    for (const [name, tensor] of streamed.weights) expect(same(bits(tensor), bits(reference.weights.get(name)!))).toBe(true);
    expect(streamed.optimizer?.weights).toHaveLength(1);
    expect(same(bits(streamed.optimizer!.weights[0]!), bits(reference.optimizer!.weights[0]!))).toBe(true);
    expect(streamed.progress).toEqual({ epoch: 1, globalStep: 9, batchesDone: 4 });
    // 'optimizer.unlisted' was built early but belongs to no slot: it must not stay alive.
    const alive = (s: typeof streamed): tf.Tensor[] => [...s.weights.values(), ...(s.optimizer?.weights ?? [])];
    expect(tf.memory().numTensors - before).toBe(alive(streamed).length + alive(reference).length);
    tf.dispose([...alive(streamed), ...alive(reference)]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('never allocates a buffer the size of the file: chunks of at most CHUNK_BYTES, reused', async () => {
    await selectBackend(accelerator);
    const path = join(await folders.make(), 's.ckpt');
    await writeCheckpointFile(path, stateRecords(), METADATA);
    await loadCheckpoint(path).then((s) => tf.dispose([...s.weights.values(), ...s.optimizer!.weights]));
    const allocations = vi.spyOn(Buffer, 'allocUnsafeSlow');
    try {
      const state = await loadCheckpoint(path);
      tf.dispose([...state.weights.values(), ...state.optimizer!.weights]);
      // The chunk buffers of the load before were kept: this one allocated none at all.
      expect(allocations.mock.calls).toEqual([]);
    } finally {
      allocations.mockRestore();
    }
  });

  it('disposes the tensors it built early when the file fails verification or decoding', async () => {
    await selectBackend(accelerator);
    const dir = await folders.make();
    const corrupt = join(dir, 'corrupt.ckpt');
    await writeCheckpointFile(corrupt, stateRecords(), METADATA);
    const bytes = await readFile(corrupt);
    bytes[bytes.length - 1]! ^= 0x01;
    await writeFile(corrupt, bytes);
    const undecodable = join(dir, 'undecodable.ckpt');
    await writeCheckpointFile(undecodable, stateRecords(), { ...METADATA, 'cairn.optimizer': '{"className":"Adam","slotNames":["missing"]}' });
    const before = tf.memory().numTensors;
    await expect(loadCheckpoint(corrupt)).rejects.toMatchObject({ check: 'checksum' });
    await expect(loadCheckpoint(undecodable)).rejects.toMatchObject({ check: 'state' });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('materializes only the parts asked for, yet verifies the whole file', async () => {
    await selectBackend(accelerator);
    const dir = await folders.make();
    const path = join(dir, 's.ckpt');
    await writeCheckpointFile(path, stateRecords(), METADATA);
    const before = tf.memory().numTensors;
    vi.mocked(buildTensor).mockClear();
    const weightsOnly = await loadCheckpoint(path, { optimizer: false });
    expect([...weightsOnly.weights.keys()].sort()).toEqual(['dense/bias', 'dense/kernel']);
    expect(weightsOnly.optimizer).toBeUndefined();
    expect(weightsOnly.progress).toEqual({ epoch: 1, globalStep: 9, batchesDone: 4 });
    // Only the two weights became tensors: no optimizer slot was built, even for a moment.
    expect(tf.memory().numTensors - before).toBe(2);
    expect(vi.mocked(buildTensor).mock.calls.map(([r]) => r.name).sort()).toEqual(['module.dense/bias', 'module.dense/kernel']);
    tf.dispose([...weightsOnly.weights.values()]);
    const slotsOnly = await loadCheckpoint(path, { weights: false });
    expect(slotsOnly.weights.size).toBe(0);
    expect(slotsOnly.optimizer?.weights).toHaveLength(1);
    tf.dispose(slotsOnly.optimizer!.weights);
    expect(tf.memory().numTensors).toBe(before);

    // A flipped byte inside the optimizer slot that is not materialized still fails the load.
    const corrupt = join(dir, 'corrupt.ckpt');
    const bytes = await readFile(path);
    bytes[bytes.length - 100]! ^= 0x01;
    await writeFile(corrupt, bytes);
    await expect(loadCheckpoint(corrupt, { optimizer: false })).rejects.toMatchObject({ check: 'checksum' });
    // So does a listed slot that is missing.
    const undecodable = join(dir, 'undecodable.ckpt');
    await writeCheckpointFile(undecodable, stateRecords(), { ...METADATA, 'cairn.optimizer': '{"className":"Adam","slotNames":["missing"]}' });
    await expect(loadCheckpoint(undecodable, { optimizer: false })).rejects.toMatchObject({ check: 'state' });
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('loadCheckpoint options', () => {
  it('rejects an unknown key by name, and a non-boolean value, before reading anything', async () => {
    await expect(loadCheckpoint('/nonexistent.ckpt', { optimiser: false } as never)).rejects.toThrow("unknown option 'optimiser'");
    await expect(loadCheckpoint('/nonexistent.ckpt', { weights: 'no' } as never)).rejects.toThrow("option 'weights' must be a boolean");
  });
});
