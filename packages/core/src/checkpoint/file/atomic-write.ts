import { randomBytes } from 'node:crypto';
import { open, readdir, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isProcessAlive } from './process-identity.js';
import { isCode, makeDurableDir, syncFolder } from './durable-dir.js';

/**
 * Temp files live next to the final file (rename is atomic only within one file system) and are
 * named `.<name>.tmp-<pid>-<8 hex>`: hidden, never ending in `.ckpt`, so no glob for checkpoints
 * picks one up, and the pid lets cleanup tell a crashed writer's leftovers from a live write.
 */
const TEMP_PATTERN = /^\.(.+)\.tmp-(\d+)-([0-9a-f]{8})$/su;
// File names are limited to 255 bytes; keep enough of the final name to recognise it.
const MAX_NAME_BYTES_IN_TEMP = 200;

/** Temp paths of writes in progress in this process: cleanup must never delete those. */
const inFlight = new Set<string>();

export function isTempCheckpointName(name: string): boolean {
  return TEMP_PATTERN.test(name);
}

export function tempNameFor(finalName: string): string {
  let kept = '';
  let bytes = 0;
  for (const char of finalName) {
    bytes += Buffer.byteLength(char);
    if (bytes > MAX_NAME_BYTES_IN_TEMP) break;
    kept += char;
  }
  return `.${kept}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/**
 * Runs `fill` on a fresh temp file, then makes the result durable and visible atomically:
 * fsync the file, rename it over `path`, fsync the folder (so the rename itself survives a power
 * loss). On any failure the temp file is closed and deleted, `path` is left as it was, and the
 * error is rethrown.
 */
export async function writeFileAtomically<T>(path: string, fill: (file: FileHandle) => Promise<T>): Promise<T> {
  const folder = dirname(path);
  await makeDurableDir(folder);
  const tempPath = join(folder, tempNameFor(basename(path)));
  inFlight.add(tempPath);
  let handle: FileHandle | undefined;
  let renamed = false;
  try {
    // 'wx': fail rather than reuse a file that happens to have the same name.
    handle = await open(tempPath, 'wx');
    const result = await fill(handle);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(tempPath, path);
    renamed = true;
    await syncFolder(folder);
    return result;
  } catch (error) {
    if (handle) await handle.close().catch(() => undefined);
    if (!renamed) await unlink(tempPath).catch(() => undefined);
    throw error;
  } finally {
    inFlight.delete(tempPath);
  }
}

/** Replaces `path` with `text` (UTF-8) atomically and durably: readers and crashes see the old file or the new one. */
export async function writeTextFileAtomically(path: string, text: string): Promise<void> {
  await writeFileAtomically(path, (file) => file.writeFile(text, 'utf8'));
}

/**
 * Deletes temp files left in `dir` by writers that died (crash, kill -9, power loss). Only names
 * matching the temp pattern are touched; a temp file is kept while its writer may still be at
 * work: a write in flight in this process, or another process whose pid is alive. Returns the
 * paths removed; a missing folder gives [].
 */
export async function cleanupTempFiles(dir: string): Promise<string[]> {
  let names: string[];
  try {
    // Only regular files: a folder that happens to match the pattern is not ours to delete.
    names = (await readdir(dir, { withFileTypes: true })).filter((entry) => entry.isFile()).map((entry) => entry.name);
  } catch (error) {
    if (isCode(error, 'ENOENT', 'ENOTDIR')) return [];
    throw error;
  }
  const removed: string[] = [];
  for (const name of names) {
    const match = TEMP_PATTERN.exec(name);
    if (!match) continue;
    const full = join(dir, name);
    const pid = Number(match[2]);
    if (inFlight.has(full)) continue;
    if (pid !== process.pid && isProcessAlive(pid)) continue;
    try {
      await unlink(full);
      removed.push(full);
    } catch (error) {
      if (!isCode(error, 'ENOENT')) throw error;
    }
  }
  return removed;
}
