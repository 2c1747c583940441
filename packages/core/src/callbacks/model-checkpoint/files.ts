import { copyFile, lstat, open, rename, symlink, unlink } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { tempNameFor } from '../../checkpoint/file/atomic-write.js';
import { syncFolder } from '../../checkpoint/file/durable-dir.js';

export async function pathExists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** Deletes a file; one already gone is fine. */
export async function removeFile(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/**
 * Points `linkPath` at `target` with a relative symlink (the folder can move), replacing what is
 * there atomically: the link is made under a temp name and renamed over. Where symlinks are not
 * allowed (Windows without privileges) the file is copied instead, as Lightning does. The copy
 * is fsynced before the rename and the folder after it, so a power cut leaves the old `last` or
 * the new one, never a torn copy.
 */
export async function linkAtomically(target: string, linkPath: string): Promise<void> {
  const temp = join(dirname(linkPath), tempNameFor(basename(linkPath)));
  try {
    await symlink(relative(dirname(linkPath), target), temp);
  } catch {
    await copyFile(target, temp);
    const copy = await open(temp, 'r+');
    try {
      await copy.sync();
    } finally {
      await copy.close();
    }
  }
  try {
    await rename(temp, linkPath);
  } catch (error) {
    await removeFile(temp);
    throw error;
  }
  await syncFolder(dirname(linkPath));
}
