const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gu;
const WHOLE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/u;

/**
 * A duration in milliseconds: a positive number of milliseconds, or a string of number+unit
 * parts such as `'90s'`, `'15m'`, `'2h'`, `'1h30m'`, `'500ms'`, `'1d'`.
 */
export function parseInterval(option: string, value: number | string): number {
  let ms: number;
  if (typeof value === 'number') {
    ms = value;
  } else if (typeof value === 'string' && WHOLE.test(value.replace(/\s+/gu, ''))) {
    ms = 0;
    for (const [, amount, unit] of value.replace(/\s+/gu, '').matchAll(PART)) ms += Number(amount) * UNIT_MS[unit!]!;
  } else {
    throw new Error(`ModelCheckpoint: ${option} must be milliseconds or a duration such as '90s', '15m', '2h', got ${JSON.stringify(value)}`);
  }
  if (!Number.isFinite(ms) || ms <= 0) throw new Error(`ModelCheckpoint: ${option} must be a positive duration, got ${JSON.stringify(value)}`);
  return ms;
}
