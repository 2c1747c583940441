import type { CheckpointStore } from '../../checkpoint/store/checkpoint-store.js';
import { findOwnFiles, type FileRole } from './ownership.js';

/** What the restored state keeps, and whose files may be touched. */
export interface RestoredFolder {
  /** The callback's folder or remote prefix. */
  store: CheckpointStore;
  stateKey: string;
  /** Run lineage: only files signed with it are ever deleted. */
  run: string;
  /** Paths the restored state keeps: the ranking, the best and the last file ('' entries are ignored). */
  kept: readonly string[];
  saveTopK: number;
  /** Verbose lines (what was removed). */
  print: (line: string) => void;
  /** Warnings (a deletion that failed). */
  warn: (line: string) => void;
}

/** A file of this run lineage that a fit resumed from. */
export interface ResumedFile {
  path: string;
  role: FileRole;
}

function keptSet(store: CheckpointStore, paths: readonly string[]): Set<string> {
  return new Set(paths.filter((path) => path !== '').map((path) => store.normalize(path)));
}

/**
 * After a resume into the same dirpath: deletes every file this callback wrote in this run
 * lineage (its signature says so) that the restored state no longer keeps, whenever it was
 * written: a file evicted by a save that became durable just before a crash (the crash came
 * before the deletion), one written after the restored checkpoint, or a file an earlier fit
 * resumed from and kept while it ran. The folder then holds exactly what the restored ranking
 * says: never more than k ranked files. Kept: the restored ranking, bestModelPath, the last
 * file, the file resumed from, exception saves; never looked at: other runs' files, a user's
 * own checkpoints, anything outside dirpath. Returns the resumed-from file when it is one of
 * this lineage's own ranked or last files (see retireResumedFile).
 */
export async function removeStrayFiles(folder: RestoredFolder, resumedFrom: string): Promise<ResumedFile | undefined> {
  const { store } = folder;
  const from = store.normalize(resumedFrom);
  const keep = keptSet(store, [...folder.kept, from]);
  let resumed: ResumedFile | undefined;
  for (const { path, role } of await findOwnFiles(store, folder.stateKey, folder.run)) {
    if (path === from && role !== 'exception') resumed = { path, role };
    const kept = keep.has(path) || role === 'exception' || (role === 'topk' && folder.saveTopK === -1);
    if (kept || !store.contains(path)) continue;
    await store.remove(path);
    folder.print(`ModelCheckpoint: removed ${path}, written by this run but absent from the ranking it resumed with`);
  }
  return resumed;
}

/**
 * At the end of a fit that completed: the file it resumed from was never deleted while the fit
 * ran (a failing continuation keeps its starting point). When that file is one of this run
 * lineage's own ranked files that has since left the ranking, or an own `last` file since
 * replaced under another name (a template such as `'{epoch}-last'`), it goes now, as it would
 * have without the interruption: the folder ends with exactly the files of an uninterrupted run.
 */
export async function retireResumedFile(resumed: ResumedFile, folder: Omit<RestoredFolder, 'stateKey' | 'run'>): Promise<void> {
  const { store } = folder;
  if (!store.contains(resumed.path)) return;
  // saveTopK -1 keeps every ranked file.
  if (resumed.role === 'topk' && folder.saveTopK === -1) return;
  if (keptSet(store, folder.kept).has(resumed.path)) return;
  try {
    await store.remove(resumed.path);
    folder.print(`ModelCheckpoint: removed ${resumed.path}, the file this fit resumed from, ${resumed.role === 'last' ? 'replaced by a newer last file' : `no longer among the top ${folder.saveTopK}`}`);
  } catch (error) {
    folder.warn(`ModelCheckpoint: ${String(error)}`);
  }
}
