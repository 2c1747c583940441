import { isImprovement, worstScore, type MonitorMode } from '../../monitor/mode.js';

/** The ranking state of ModelCheckpoint (Lightning's names, camelCased). */
export interface TopKState {
  /** Path -> score of the kept checkpoints, in the order they were saved. */
  bestKModels: Record<string, number>;
  /** The worst of the k kept (the next to go), '' until k are kept. */
  kthBestModelPath: string;
  kthValue: number;
  bestModelPath: string;
  bestModelScore: number | undefined;
  currentScore: number | undefined;
}

export function initialTopK(mode: MonitorMode): TopKState {
  return { bestKModels: {}, kthBestModelPath: '', kthValue: worstScore(mode), bestModelPath: '', bestModelScore: undefined, currentScore: undefined };
}

/** The entry with the best (or worst) score; on ties the first saved wins, as Python's min/max. */
function pick(models: Record<string, number>, mode: MonitorMode, which: 'best' | 'worst'): string {
  let chosen: string | undefined;
  for (const [path, score] of Object.entries(models)) {
    if (chosen === undefined) chosen = path;
    else if (which === 'best' ? isImprovement(mode, score, models[chosen]!) : isImprovement(mode, models[chosen]!, score)) chosen = path;
  }
  return chosen ?? '';
}

/**
 * Whether `current` enters the top k: always while fewer than k are kept, else only when strictly
 * better than the k-th best. A missing value never enters; NaN compares false, so it never
 * displaces a kept checkpoint.
 */
export function entersTopK(state: TopKState, saveTopK: number, mode: MonitorMode, current: number | undefined): boolean {
  if (current === undefined) return false;
  if (saveTopK === -1) return true;
  if (Object.keys(state.bestKModels).length < saveTopK) return true;
  return isImprovement(mode, current, state.bestKModels[state.kthBestModelPath]!);
}

/** The k for this save: -1 means one more than kept now. */
export function effectiveK(state: TopKState, saveTopK: number): number {
  return saveTopK === -1 ? Object.keys(state.bestKModels).length + 1 : saveTopK;
}

/** Removes and returns the checkpoint the next save replaces, when k are already kept. */
export function popEvicted(state: TopKState, k: number): string | undefined {
  if (k <= 0 || Object.keys(state.bestKModels).length !== k) return undefined;
  const evicted = state.kthBestModelPath;
  delete state.bestKModels[evicted];
  return evicted;
}

/** Records a saved checkpoint and recomputes k-th and best. NaN is kept as the worst value. */
export function admit(state: TopKState, k: number, mode: MonitorMode, path: string, current: number): void {
  const score = Number.isNaN(current) ? worstScore(mode) : current;
  state.currentScore = score;
  state.bestKModels[path] = score;
  if (Object.keys(state.bestKModels).length === k) {
    state.kthBestModelPath = pick(state.bestKModels, mode, 'worst');
    state.kthValue = state.bestKModels[state.kthBestModelPath]!;
  }
  state.bestModelPath = pick(state.bestKModels, mode, 'best');
  state.bestModelScore = state.bestKModels[state.bestModelPath];
}
