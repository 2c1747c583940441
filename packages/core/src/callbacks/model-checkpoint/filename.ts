import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { formatNumber } from './format-spec.js';

/** The naming constants of ModelCheckpoint (Lightning's class attributes). */
export const CHECKPOINT_JOIN_CHAR = '-';
export const CHECKPOINT_EQUALS_CHAR = '=';
export const CHECKPOINT_NAME_LAST = 'last';
export const FILE_EXTENSION = '.ckpt';
export const STARTING_VERSION = 1;
export const DEFAULT_FILENAME = `{epoch}${CHECKPOINT_JOIN_CHAR}{step}`;

export interface FormatNameOptions {
  /** Template such as `'{epoch}-{val_loss:.2f}'`; default `'{epoch}-{step}'`. */
  filename?: string | undefined;
  /** Version suffix: `-v<ver>` before the extension. */
  ver?: number | undefined;
  /** Prepended with the join character: `<prefix>-<name>`. */
  prefix?: string | undefined;
  /** `{val_loss}` renders `val_loss=<value>` (default true). */
  autoInsertMetricName?: boolean | undefined;
  /** Folder to join the name to; none gives a bare file name. */
  dirpath?: string | undefined;
}

// `{{` and `}}` are literal braces (Python's str.format); a field is `{name}` or `{name:spec}`.
const TOKEN = /\{\{|\}\}|\{([^{}:]+)(?::([^{}]*))?\}/gu;

/** Renders the template part of a name: fields replaced, no version, prefix or extension. */
export function renderTemplate(template: string, metrics: Readonly<Record<string, number>>, autoInsertMetricName: boolean): string {
  return template.replace(TOKEN, (token, name: string | undefined, spec: string | undefined) => {
    if (name === undefined) return token[0]!;
    // Lightning renders a key that was never logged as 0.
    const value = metrics[name] ?? 0;
    let text: string;
    try {
      text = formatNumber(value, spec ?? '');
    } catch (error) {
      throw new Error(`ModelCheckpoint: cannot format '{${name}${spec === undefined ? '' : `:${spec}`}}' with value ${value}: ${(error as Error).message}`);
    }
    return autoInsertMetricName ? `${name}${CHECKPOINT_EQUALS_CHAR}${text}` : text;
  });
}

/**
 * The template with every field replaced by a plain placeholder: the part of a name that does not
 * depend on metric names or values (used to refuse a template that always leaves dirpath).
 */
export function templateSkeleton(template: string): string {
  return template.replace(TOKEN, (token, name: string | undefined) => (name === undefined ? token[0]! : 'x'));
}

/**
 * Lightning's `format_checkpoint_name`: `'{epoch}-{val_loss:.2f}'` with epoch 2 and val_loss
 * 0.123456 gives `epoch=2-val_loss=0.12.ckpt`. A `/` in a name (or a metric name) makes sub-folders.
 */
export function formatCheckpointName(metrics: Readonly<Record<string, number>>, options: FormatNameOptions = {}): string {
  let name = renderTemplate(options.filename || DEFAULT_FILENAME, metrics, options.autoInsertMetricName ?? true);
  if (options.prefix) name = [options.prefix, name].join(CHECKPOINT_JOIN_CHAR);
  if (options.ver !== undefined) name = [name, `v${options.ver}`].join(CHECKPOINT_JOIN_CHAR);
  const file = `${name}${FILE_EXTENSION}`;
  return options.dirpath ? join(options.dirpath, file) : file;
}

/**
 * The name `format()` gives, or with `-v1`, `-v2`, ... while that one is taken (Lightning's
 * version counter). `reusable` may be taken: it is the file this save replaces.
 */
export async function firstFreeName(
  format: (ver: number | undefined) => string,
  reusable: string | undefined,
  taken: (path: string) => Promise<boolean>,
): Promise<string> {
  let path = format(undefined);
  for (let ver = STARTING_VERSION; path !== reusable && (await taken(path)); ver++) path = format(ver);
  return path;
}

/** True when `path` lies strictly inside `dir` (a name such as `..foo.ckpt` is inside). */
export function isInside(path: string, dir: string): boolean {
  const rel = relative(resolve(dir), resolve(path));
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/**
 * formatCheckpointName, refusing a result that would make the callback write outside its folder:
 * a template or metric name with '..' or a NUL byte never takes a save elsewhere.
 */
export function formatPathInside(metrics: Readonly<Record<string, number>>, options: FormatNameOptions): string {
  const path = formatCheckpointName(metrics, options);
  const shown = JSON.stringify(options.filename ?? DEFAULT_FILENAME);
  if (path.includes('\0')) throw new Error(`ModelCheckpoint: filename ${shown} renders ${JSON.stringify(path)}, which holds a NUL byte (from a metric name)`);
  if (options.dirpath !== undefined && !isInside(path, options.dirpath)) {
    throw new Error(`ModelCheckpoint: filename ${shown} renders ${JSON.stringify(path)}, outside dirpath ${JSON.stringify(options.dirpath)}`);
  }
  return path;
}
