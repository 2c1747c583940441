import { isImprovement, worstScore, type MonitorMode } from '@cairn/core';

/** Why EarlyStopping stopped the run (Lightning's EarlyStoppingReason, as strings). */
export type StoppingReason = 'not_stopped' | 'stopping_threshold' | 'divergence_threshold' | 'patience_exhausted' | 'non_finite_metric';

/** The fixed part of the decision: EarlyStopping's options. */
export interface StoppingRule {
  monitor: string;
  mode: MonitorMode;
  /** An improvement must beat the best by more than this (negative: a slightly worse value counts, as Lightning). */
  minDelta: number;
  patience: number;
  checkFinite: boolean;
  stoppingThreshold: number | undefined;
  divergenceThreshold: number | undefined;
  /** Keras: patience is only reset by values that also beat the baseline. */
  baseline: number | undefined;
}

/** The evolving part, saved in checkpoints. */
export interface StoppingState {
  bestScore: number;
  waitCount: number;
}

export interface Decision {
  next: StoppingState;
  improved: boolean;
  stop: boolean;
  reason: StoppingReason;
  /** What happened, in words (improvement or stop); undefined when nothing noteworthy happened. */
  message: string | undefined;
}

export function initialState(mode: MonitorMode): StoppingState {
  return { bestScore: worstScore(mode), waitCount: 0 };
}

const fmt = (value: number): string => (Number.isFinite(value) ? value.toFixed(3) : String(value));

/**
 * One early-stopping check, in Lightning's order: non-finite value, stopping threshold,
 * divergence threshold, improvement, patience. Pure, so decision sequences can be tested alone.
 */
export function evaluate(rule: StoppingRule, state: StoppingState, current: number): Decision {
  const { monitor, mode } = rule;
  const stop = (reason: StoppingReason, message: string, next = state): Decision => ({ next, improved: false, stop: true, reason, message });
  if (rule.checkFinite && !Number.isFinite(current)) {
    return stop('non_finite_metric', `Monitored metric ${monitor} = ${current} is not finite. Previous best value was ${fmt(state.bestScore)}. Signaling Trainer to stop.`);
  }
  if (rule.stoppingThreshold !== undefined && isImprovement(mode, current, rule.stoppingThreshold, 0)) {
    return stop('stopping_threshold', `Stopping threshold reached: ${monitor} = ${current} ${mode === 'min' ? '<' : '>'} ${rule.stoppingThreshold}. Signaling Trainer to stop.`);
  }
  if (rule.divergenceThreshold !== undefined && isImprovement(mode, rule.divergenceThreshold, current, 0)) {
    return stop('divergence_threshold', `Divergence threshold reached: ${monitor} = ${current} ${mode === 'min' ? '>' : '<'} ${rule.divergenceThreshold}. Signaling Trainer to stop.`);
  }
  if (isImprovement(mode, current, state.bestScore, rule.minDelta)) {
    const message = Number.isFinite(state.bestScore)
      ? `Metric ${monitor} improved by ${fmt(Math.abs(state.bestScore - current))} >= min_delta = ${rule.minDelta}. New best score: ${fmt(current)}`
      : `Metric ${monitor} improved. New best score: ${fmt(current)}`;
    // Keras's baseline: a new best that does not beat the baseline is kept but does not reset
    // patience; as in Keras, an improvement itself never stops the run.
    const resets = rule.baseline === undefined || isImprovement(mode, current, rule.baseline, rule.minDelta);
    return { next: { bestScore: current, waitCount: resets ? 0 : state.waitCount + 1 }, improved: true, stop: false, reason: 'not_stopped', message };
  }
  const next = { bestScore: state.bestScore, waitCount: state.waitCount + 1 };
  if (next.waitCount < rule.patience) return { next, improved: false, stop: false, reason: 'not_stopped', message: undefined };
  const belowBaseline = rule.baseline !== undefined && !isImprovement(mode, next.bestScore, rule.baseline, rule.minDelta);
  return stop(
    'patience_exhausted',
    `Monitored metric ${monitor} did not improve in the last ${next.waitCount} records${belowBaseline ? ` (or did not beat the baseline ${rule.baseline})` : ''}. Best score: ${fmt(next.bestScore)}. Signaling Trainer to stop.`,
    next,
  );
}
