/** A duration: 'DD:HH:MM:SS' (Lightning's format), parts, or milliseconds. */
export type Duration = string | { days?: number; hours?: number; minutes?: number; seconds?: number; milliseconds?: number } | number;

const UNIT_MS = { days: 86_400_000, hours: 3_600_000, minutes: 60_000, seconds: 1_000, milliseconds: 1 } as const;

/** The duration in milliseconds; throws on anything else than a non-negative finite duration. */
export function parseDuration(value: Duration): number {
  let ms: number;
  if (typeof value === 'string') {
    const match = /^(\d+):(\d\d):(\d\d):(\d\d)$/.exec(value.trim());
    if (match === null) throw new Error(`Timer: maxTime ${JSON.stringify(value)} is not a valid duration; expected a string in the format DD:HH:MM:SS`);
    const [days, hours, minutes, seconds] = match.slice(1).map(Number) as [number, number, number, number];
    ms = days * UNIT_MS.days + hours * UNIT_MS.hours + minutes * UNIT_MS.minutes + seconds * UNIT_MS.seconds;
  } else if (typeof value === 'number') {
    ms = value;
  } else if (typeof value === 'object' && value !== null) {
    const unknown = Object.keys(value).filter((k) => !(k in UNIT_MS));
    if (unknown.length > 0) throw new Error(`Timer: maxTime has unknown parts ${unknown.join(', ')}; use ${Object.keys(UNIT_MS).join(', ')}`);
    ms = Object.entries(UNIT_MS).reduce((sum, [unit, size]) => sum + (value[unit as keyof typeof UNIT_MS] ?? 0) * size, 0);
  } else {
    throw new Error(`Timer: maxTime must be a 'DD:HH:MM:SS' string, an object of parts or milliseconds, got ${String(value)}`);
  }
  if (!Number.isFinite(ms) || ms < 0) throw new Error(`Timer: maxTime must be a non-negative finite duration, got ${JSON.stringify(value)}`);
  return ms;
}

/** Whole seconds as Python's timedelta prints them ('1 day, 2:03:04'), as Lightning's message does. */
export function formatDuration(ms: number): string {
  const total = Math.floor(ms / 1000);
  const days = Math.floor(total / 86_400);
  const rest = total % 86_400;
  const clock = `${Math.floor(rest / 3600)}:${String(Math.floor((rest % 3600) / 60)).padStart(2, '0')}:${String(rest % 60).padStart(2, '0')}`;
  return days === 0 ? clock : `${days} day${days === 1 ? '' : 's'}, ${clock}`;
}
