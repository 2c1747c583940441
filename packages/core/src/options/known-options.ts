import { describeKind } from './describe-kind.js';

/**
 * Every option key of `T`, each mapped to true. Typed as a record of the interface's keys, so an
 * option added to the interface fails compilation until it is listed here too.
 */
export type OptionKeys<T> = { readonly [K in keyof Required<T>]: true };


/**
 * Refuses an options object that is not a plain object, or that holds a key `owner` does not
 * define: a typo (`monitr`, `maxEpoch`) or another library's spelling (`min_delta`) would
 * otherwise run silently with the default. Shared by the Trainer, every callback, the schedulers
 * and the DataLoader so they all refuse the same way.
 */
export function rejectUnknownOptions<T extends object>(owner: string, options: T, known: OptionKeys<T>): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new Error(`${owner}: options must be an object, got ${describeKind(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!Object.hasOwn(known, key)) throw new Error(`${owner}: unknown option '${key}'; the options are ${Object.keys(known).join(', ')}`);
  }
}
