import type { TopKState } from './top-k.js';

/** The parts of ModelCheckpoint's state that are not the ranking. */
export interface CheckpointBookkeeping {
  monitor: string | undefined;
  dirpath: string | undefined;
  lastModelPath: string;
  /** Run lineage (ownership.ts). */
  run: string;
  /** Retention sets (retention.ts); absent in checkpoints of older versions. */
  retention?: unknown;
}

/** Lightning's state_dict keys (camelCased), plus the run lineage. */
export function toStateDict(topK: TopKState, book: CheckpointBookkeeping): Record<string, unknown> {
  return {
    monitor: book.monitor ?? null,
    bestModelScore: topK.bestModelScore ?? null,
    bestModelPath: topK.bestModelPath,
    currentScore: topK.currentScore ?? null,
    dirpath: book.dirpath ?? null,
    bestKModels: { ...topK.bestKModels },
    kthBestModelPath: topK.kthBestModelPath,
    kthValue: topK.kthValue,
    lastModelPath: book.lastModelPath,
    run: book.run,
    retention: book.retention ?? null,
  };
}

/**
 * Lightning's load_state_dict: from a checkpoint written with the same dirpath, everything comes
 * back; from another dirpath only bestModelPath (with a warning), since the other paths name
 * files this callback must not manage. Restores into `topK`; returns the bookkeeping to use and
 * whether the dirpath was the same.
 */
export function loadStateDict(
  state: Record<string, unknown>,
  topK: TopKState,
  current: CheckpointBookkeeping,
  warn: (line: string) => void,
): { sameDir: boolean; book: CheckpointBookkeeping } {
  const book = { ...current };
  const savedDir = typeof state.dirpath === 'string' ? state.dirpath : book.dirpath;
  const str = (value: unknown, fallback: string): string => (typeof value === 'string' ? value : fallback);
  const num = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);
  const sameDir = savedDir === book.dirpath;
  if (sameDir) {
    const models = state.bestKModels;
    topK.bestKModels = typeof models === 'object' && models !== null ? { ...(models as Record<string, number>) } : {};
    topK.bestModelScore = num(state.bestModelScore);
    topK.currentScore = num(state.currentScore);
    topK.kthBestModelPath = str(state.kthBestModelPath, topK.kthBestModelPath);
    topK.kthValue = num(state.kthValue) ?? topK.kthValue;
    book.lastModelPath = str(state.lastModelPath, book.lastModelPath);
    book.run = str(state.run, book.run);
    book.retention = state.retention;
  } else {
    warn(
      `ModelCheckpoint: the dirpath has changed from ${JSON.stringify(savedDir)} to ${JSON.stringify(book.dirpath)}, therefore bestModelScore, ` +
        'kthBestModelPath, kthValue, lastModelPath and bestKModels will not be reloaded. Only bestModelPath will be reloaded.',
    );
  }
  topK.bestModelPath = str(state.bestModelPath, topK.bestModelPath);
  return { sameDir, book };
}
