import { parse } from 'yaml';
import { CliError } from '../cli-error.js';

/** One `--a.b.c value` from the command line: a dotted path into the config and its value (parsed as YAML). */
export interface Override {
  path: string[];
  value: unknown;
}

/**
 * Reads the tokens commander did not know: `--trainer.maxEpochs 5`, `--model.initArgs.lr=0.1`.
 * Values are YAML scalars or flow collections (`5`, `true`, `[1, 2]`, `{a: 1}`), strings otherwise.
 */
export function parseOverrides(tokens: readonly string[]): Override[] {
  const overrides: Override[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (!token.startsWith('--')) throw new CliError(`unexpected argument '${token}' (overrides look like --trainer.maxEpochs 5)`);
    const body = token.slice(2);
    const eq = body.indexOf('=');
    let key: string;
    let text: string;
    if (eq >= 0) {
      key = body.slice(0, eq);
      text = body.slice(eq + 1);
    } else {
      key = body;
      const next = tokens[i + 1];
      if (next === undefined || next.startsWith('--')) throw new CliError(`override --${key} needs a value`);
      text = next;
      i += 1;
    }
    if (!key.includes('.')) throw new CliError(`unknown option --${key} (a config override names a dotted path, e.g. --trainer.maxEpochs 5)`);
    const path = key.split('.');
    if (path.some((part) => part === '' || part === '__proto__' || part === 'constructor' || part === 'prototype')) throw new CliError(`override --${key} is not a valid config path`);
    let value: unknown;
    try {
      value = parse(text);
    } catch {
      value = text;
    }
    overrides.push({ path, value: value === null && text !== 'null' && text !== '~' ? text : value });
  }
  return overrides;
}

/** Sets each override into `config` (creating objects on the way; numeric parts index arrays). */
export function applyOverrides(config: Record<string, unknown>, overrides: readonly Override[]): void {
  for (const { path, value } of overrides) {
    let node: Record<string, unknown> | unknown[] = config;
    path.slice(0, -1).forEach((part, depth) => {
      const key = Array.isArray(node) ? Number(part) : part;
      const container = node as Record<string | number, unknown>;
      const existing = container[key];
      if (existing === undefined || existing === null) container[key] = /^\d+$/.test(path[depth + 1]!) ? [] : {};
      else if (typeof existing !== 'object') throw new CliError(`override --${path.join('.')}: '${path.slice(0, depth + 1).join('.')}' is ${JSON.stringify(existing)}, not an object`);
      node = container[key] as Record<string, unknown> | unknown[];
    });
    const last = path[path.length - 1]!;
    (node as Record<string | number, unknown>)[Array.isArray(node) ? Number(last) : last] = value;
  }
}
