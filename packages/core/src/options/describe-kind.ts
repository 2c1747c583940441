/**
 * What a value is, in words, for errors about a value of the wrong kind: the class of an object
 * (`a CSVLogger`), never a JSON dump of its fields (which says nothing about what it is, and can
 * run to pages for a model or a tensor). Primitives are shown as they are.
 */
export function describeKind(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'undefined':
      return 'undefined';
    case 'string':
      return `the string ${JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value)}`;
    case 'number':
    case 'boolean':
    case 'bigint':
      return `${typeof value} ${String(value)}`;
    case 'symbol':
      return String(value);
    case 'function':
      // A class passed where an instance is expected is a common slip: say so.
      return /^class\b/.test(Function.prototype.toString.call(value))
        ? `the class ${value.name || '(anonymous)'} itself (create one with new ${value.name || 'it'}(...))`
        : `a function${value.name ? ` named ${value.name}` : ''}`;
  }
  if (Array.isArray(value)) return `an array of ${value.length} item${value.length === 1 ? '' : 's'}`;
  const name = className(value as object);
  if (name === undefined) {
    const keys = Object.keys(value as object);
    const shown = keys.slice(0, 5).join(', ') + (keys.length > 5 ? ', ...' : '');
    return keys.length === 0 ? 'an empty object' : `a plain object with keys ${shown}`;
  }
  // 'an AdamOptimizer', 'an Unsorted...', but 'a URL', 'a Uint8Array' (a 'U' that sounds like 'you').
  return `${/^([aeio]|un)/i.test(name) ? 'an' : 'a'} ${name}`;
}

/** The constructor's name, or undefined for a plain (or prototype-less) object. */
function className(value: object): string | undefined {
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype === null || prototype === Object.prototype) return undefined;
  const name = (value.constructor as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' && name !== '' && name !== 'Object' ? name : 'object of an unnamed class';
}

/**
 * A value as an error message shows it: strings quoted, numbers as written, small plain data
 * (`{"hours":-1}`, `[1]`) as JSON, and anything else (a class instance, a function, large data)
 * by what it is, through {@link describeKind}.
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint' || typeof value === 'symbol' || value === undefined || value === null) return String(value);
  if (isPlainData(value)) {
    const json = safeJson(value);
    if (json !== undefined && json.length <= 80) return json;
  }
  return describeKind(value);
}

function isPlainData(value: unknown): boolean {
  if (Array.isArray(value)) return true;
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function safeJson(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined; // cycles, BigInt inside
  }
}
