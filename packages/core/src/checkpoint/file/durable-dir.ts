import { mkdir, open, stat, type FileHandle } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/**
 * Creates `path` and any missing parents, and makes each new folder durable: a new folder is an
 * entry in its parent, and that entry survives a power cut only once the PARENT is fsynced.
 * `mkdir(..., { recursive: true })` alone leaves the whole new branch in the page cache, so a
 * file written and fsynced inside it can vanish with its folder. Folders that already existed are
 * left alone. Returns the folders it created, outermost first.
 */
export async function makeDurableDir(path: string): Promise<string[]> {
  const missing: string[] = [];
  let current = resolve(path);
  for (;;) {
    if (await isExistingFolder(current)) break;
    missing.push(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  missing.reverse();
  for (const folder of missing) {
    try {
      await mkdir(folder);
    } catch (error) {
      // Another writer made it meanwhile: fine, its entry still needs the parent's fsync below.
      if (!isCode(error, 'EEXIST') || !(await isExistingFolder(folder))) throw error;
    }
  }
  // Innermost first is not required: the branch is durable once every parent has been synced.
  for (const folder of missing) await syncFolder(dirname(folder));
  return missing;
}

/**
 * Fsyncs the parent of `path` and of every folder above it. A run killed between a mkdir and the
 * fsync of its parent leaves a folder that exists yet may not survive a power cut, and the next
 * run cannot tell such a folder from a durable one; so where a folder is claimed for data that will
 * be reported durable (the checkpoint folder's lock), the whole chain is made durable once.
 */
export async function syncFolderChain(path: string): Promise<void> {
  let current = resolve(path);
  for (;;) {
    const parent = dirname(current);
    if (parent === current) return;
    await syncFolder(parent);
    current = parent;
  }
}

async function isExistingFolder(path: string): Promise<boolean> {
  try {
    const info = await stat(path);
    if (!info.isDirectory()) throw new Error(`${path} exists and is not a folder`);
    return true;
  } catch (error) {
    if (isCode(error, 'ENOENT', 'ENOTDIR')) return false;
    throw error;
  }
}

/** fsync of a directory: persists the entries made in it. Some platforms (Windows) cannot open folders; skip there. */
export async function syncFolder(folder: string): Promise<void> {
  let handle: FileHandle;
  try {
    handle = await open(folder, 'r');
  } catch (error) {
    if (isCode(error, 'EISDIR', 'EPERM', 'EACCES')) return;
    throw error;
  }
  try {
    await handle.sync();
  } catch (error) {
    if (!isCode(error, 'EINVAL', 'ENOTSUP', 'EPERM', 'EBADF')) throw error;
  } finally {
    await handle.close();
  }
}

export function isCode(error: unknown, ...codes: string[]): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && codes.includes(code);
}
