import { describeValue } from './describe-kind.js';

/** Parts of a duration, as Python's `timedelta(days=, hours=, ...)` names them. */
export interface DurationParts {
  days?: number;
  hours?: number;
  minutes?: number;
  seconds?: number;
  milliseconds?: number;
}

/**
 * A span of time, in one of three spellings (docs/callbacks.md, "Durations"):
 * - a number: milliseconds;
 * - a string: Lightning's `'DD:HH:MM:SS'` (`'00:12:00:00'`), or number+unit parts with units
 *   `ms`, `s`, `m`, `h`, `d` (`'90s'`, `'15m'`, `'1h30m'`, `'1.5h'`, `'500ms'`);
 * - an object of parts: `{ hours: 1, minutes: 30 }` (Lightning's Timer accepts the same dict).
 */
export type Duration = number | string | DurationParts;

const PART_MS: Readonly<Record<keyof DurationParts, number>> = { days: 86_400_000, hours: 3_600_000, minutes: 60_000, seconds: 1000, milliseconds: 1 };
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const CLOCK = /^(\d+):(\d\d):(\d\d):(\d\d)$/u;
const UNIT_PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gu;
const UNITS = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/u;

function parseString(text: string): number | undefined {
  const compact = text.replace(/\s+/gu, '');
  const clock = CLOCK.exec(compact);
  if (clock !== null) {
    const [days, hours, minutes, seconds] = clock.slice(1).map(Number) as [number, number, number, number];
    return days * PART_MS.days + hours * PART_MS.hours + minutes * PART_MS.minutes + seconds * PART_MS.seconds;
  }
  if (!UNITS.test(compact)) return undefined;
  let ms = 0;
  for (const [, amount, unit] of compact.matchAll(UNIT_PART)) ms += Number(amount) * UNIT_MS[unit!]!;
  return ms;
}

/**
 * The duration in milliseconds. Throws, naming `owner` and `option`, on anything that is not a
 * non-negative finite duration in one of the spellings of {@link Duration}.
 */
export function parseDuration(owner: string, option: string, value: Duration): number {
  const fail = (what: string): never => {
    throw new Error(`${owner}: ${option} ${what}`);
  };
  const shown = describeValue(value);
  let ms: number | undefined;
  if (typeof value === 'number') ms = value;
  else if (typeof value === 'string') ms = parseString(value);
  else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const unknown = Object.keys(value).filter((key) => !Object.hasOwn(PART_MS, key));
    if (unknown.length > 0) fail(`has unknown parts ${unknown.join(', ')}; use ${Object.keys(PART_MS).join(', ')}`);
    ms = 0;
    for (const [part, size] of Object.entries(PART_MS)) {
      const amount = (value as Record<string, unknown>)[part] ?? 0;
      if (typeof amount !== 'number') fail(`part ${part} must be a number, got ${describeValue(amount)}`);
      ms += (amount as number) * size;
    }
  }
  if (ms === undefined) {
    fail(`must be milliseconds, a 'DD:HH:MM:SS' string, a duration such as '90s', '15m', '1h30m', or an object of parts (days, hours, minutes, seconds, milliseconds), got ${shown}`);
  }
  if (!Number.isFinite(ms) || ms! < 0) fail(`must be a non-negative finite duration, got ${shown}`);
  return ms!;
}
