/**
 * JSON that keeps non-finite numbers: metrics are often NaN or Infinity (a diverged loss, an
 * unset best score) and plain JSON would turn them into null. They are written as
 * {"$float": "NaN" | "Infinity" | "-Infinity"}.
 */
const TAG = '$float';

export function encodeJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? { [TAG]: String(v) } : v));
}

export function decodeJson(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      const keys = Object.keys(v);
      if (keys.length === 1 && keys[0] === TAG) {
        const tag = (v as Record<string, unknown>)[TAG];
        if (tag === 'NaN' || tag === 'Infinity' || tag === '-Infinity') return Number(tag);
      }
    }
    return v;
  });
}
