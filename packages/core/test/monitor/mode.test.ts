import { describe, expect, it } from 'vitest';
import { isImprovement, worstScore } from '../../src/monitor/mode.js';

describe('isImprovement: the one "is this better?" rule', () => {
  it('is strict in both modes', () => {
    expect(isImprovement('min', 1, 2)).toBe(true);
    expect(isImprovement('min', 2, 2)).toBe(false);
    expect(isImprovement('max', 3, 2)).toBe(true);
    expect(isImprovement('max', 2, 2)).toBe(false);
  });

  it('needs more than minDelta, and a negative minDelta lets a slightly worse value count (Lightning)', () => {
    expect(isImprovement('min', 0.95, 1, 0.1)).toBe(false);
    expect(isImprovement('min', 0.85, 1, 0.1)).toBe(true);
    expect(isImprovement('max', 1.05, 1, 0.1)).toBe(false);
    expect(isImprovement('min', 1.05, 1, -0.1)).toBe(true);
    expect(isImprovement('max', 0.95, 1, -0.1)).toBe(true);
  });

  it('never counts NaN, and every number beats the worst score', () => {
    expect(isImprovement('min', Number.NaN, 1)).toBe(false);
    expect(isImprovement('max', Number.NaN, 1)).toBe(false);
    expect(isImprovement('min', 1e308, worstScore('min'), 0.5)).toBe(true);
    expect(isImprovement('max', -1e308, worstScore('max'), 0.5)).toBe(true);
  });
});
