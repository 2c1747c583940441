/**
 * Option checks shared by the schedulers. Every error names the scheduler and the option, so a
 * typo or a PyTorch/Keras spelling (`step_size`, `min_lr`) fails at construction, not epochs later.
 */
export class OptionChecker {
  /** @param noun what is checked: 'option' for constructors, 'state field' for loadStateDict. */
  constructor(
    private readonly owner: string,
    private readonly noun = 'option',
  ) {}

  fail(option: string, expected: string, got: unknown): never {
    const shown = typeof got === 'function' ? 'a function' : (JSON.stringify(got) ?? String(got));
    throw new Error(`${this.owner}: ${this.noun} '${option}' must be ${expected}, got ${shown}`);
  }

  required<T>(option: string, value: T | undefined): T {
    if (value === undefined) throw new Error(`${this.owner}: ${this.noun} '${option}' is required`);
    return value;
  }

  positiveInt(option: string, value: unknown): number {
    if (!Number.isSafeInteger(value) || (value as number) < 1) this.fail(option, 'a positive integer', value);
    return value as number;
  }

  nonNegativeInt(option: string, value: unknown): number {
    if (!Number.isSafeInteger(value) || (value as number) < 0) this.fail(option, 'a non-negative integer', value);
    return value as number;
  }

  /** A finite number within [min, max]; `exclusive` makes the named bound open. */
  number(option: string, value: unknown, min: number, max: number, exclusive: { min?: boolean; max?: boolean } = {}): number {
    const ok =
      typeof value === 'number' &&
      Number.isFinite(value) &&
      (exclusive.min === true ? value > min : value >= min) &&
      (exclusive.max === true ? value < max : value <= max);
    if (!ok) {
      const low = Number.isFinite(min) ? `${exclusive.min === true ? '>' : '>='} ${min}` : '';
      const high = Number.isFinite(max) ? `${exclusive.max === true ? '<' : '<='} ${max}` : '';
      this.fail(option, `a finite number${low || high ? ' ' : ''}${[low, high].filter(Boolean).join(' and ')}`, value);
    }
    return value as number;
  }

  oneOf<T extends string>(option: string, value: unknown, allowed: readonly T[]): T {
    if (!allowed.includes(value as T)) this.fail(option, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, value);
    return value as T;
  }
}
