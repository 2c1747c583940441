/** Which way a monitored metric improves: 'min' (a loss) or 'max' (an accuracy). */
export type MonitorMode = 'min' | 'max';

/**
 * Whether `current` improves on `reference` by more than `minDelta` in this mode: strictly
 * (`current < reference - minDelta` for 'min', `current > reference + minDelta` for 'max'), as
 * Lightning's `monitor_op(current - min_delta, best)` with its sign flip for 'min'. A negative
 * minDelta lets a slightly worse value count. NaN is never an improvement.
 * Used by ModelCheckpoint's top-k, EarlyStopping and ReduceLROnPlateau.
 */
export function isImprovement(mode: MonitorMode, current: number, reference: number, minDelta = 0): boolean {
  return mode === 'min' ? current < reference - minDelta : current > reference + minDelta;
}

/** The score every real value improves on: Infinity for 'min', -Infinity for 'max'. */
export function worstScore(mode: MonitorMode): number {
  return mode === 'min' ? Infinity : -Infinity;
}
