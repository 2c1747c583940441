import type { HParamValue } from './events.js';

/**
 * Hyper-parameters as the hparams plugin takes them: nested objects flattened to `a/b` names
 * (Lightning's rule), numbers, strings and booleans kept, anything else (arrays, null) as JSON text.
 */
export function flattenHparams(params: Record<string, unknown>, prefix = ''): Record<string, HParamValue> {
  const flat: Record<string, HParamValue> = {};
  for (const [key, value] of Object.entries(params)) {
    const name = prefix === '' ? key : `${prefix}/${key}`;
    if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') flat[name] = value;
    else if (typeof value === 'object' && value !== null && !Array.isArray(value)) Object.assign(flat, flattenHparams(value as Record<string, unknown>, name));
    else flat[name] = JSON.stringify(value) ?? String(value);
  }
  return flat;
}
