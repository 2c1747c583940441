import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { isTempCheckpointName, readCheckpointFile, writeCheckpointFile } from '../../../src/checkpoint/file/index.js';
import { fsTrace, resetFsTrace, type FsCall } from '../../helpers/fs-trace.js';
import { sampleTensors } from './helpers.js';

vi.mock('node:fs/promises', async (real) => (await import('../../helpers/fs-trace.js')).tracedFs(await real()));

beforeEach(() => resetFsTrace());

/** The calls as short lines, runs of writes to one file collapsed into one `write` line. */
function summary(calls: readonly FsCall[]): string[] {
  const lines: string[] = [];
  for (const call of calls) {
    const line = call.op === 'rename' ? `rename ${call.from} -> ${call.to}` : call.op === 'open' ? `open ${call.path} ${call.flags}` : `${call.op} ${call.path}`;
    if (lines.at(-1) !== line || call.op !== 'write') lines.push(line);
  }
  return lines;
}

describe('atomic write: durability order', () => {
  it('fills the temp file, fsyncs and closes it, renames it over the final name, then fsyncs the folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-durable-'));
    const path = join(dir, 'model.ckpt');
    await writeCheckpointFile(path, sampleTensors(), { note: 'x' });

    const opened = fsTrace.calls.find((call) => call.op === 'open' && call.flags === 'wx');
    expect(opened).toBeDefined();
    const temp = (opened as { path: string }).path;
    expect(dirname(temp)).toBe(dir);
    expect(isTempCheckpointName(temp.slice(dir.length + 1))).toBe(true);
    // A rename before the file's fsync could expose a file whose data is not on disk after a
    // power loss; without the folder's fsync the rename itself may be lost.
    expect(summary(fsTrace.calls)).toEqual([
      `open ${temp} wx`,
      `write ${temp}`,
      `sync ${temp}`,
      `close ${temp}`,
      `rename ${temp} -> ${path}`,
      `open ${dir} r`,
      `sync ${dir}`,
      `close ${dir}`,
    ]);
    expect((await readCheckpointFile(path)).metadata.note).toBe('x');
    expect(await readdir(dir)).toEqual(['model.ckpt']);
  });
});
