import { Callback } from '../callbacks/callback.js';
import type { Logger } from '../logger/logger.js';
import { gotWrongKind, isLogger } from './where-it-belongs.js';

function fail(message: string): never {
  throw new Error(`Trainer: ${message}`);
}

/**
 * Splits the Trainer's `callbacks` and `logger` options into callbacks and loggers. A logger in
 * `callbacks` (Keras users pass CSVLogger there) is used as a logger; an object in neither role
 * is refused, naming its class and where it belongs. `logger: false` turns logging off, so a
 * logger in `callbacks` next to it is a contradiction and refused.
 */
export function splitCallbacksAndLoggers(callbacksOption: unknown, loggerOption: unknown): { callbacks: Callback[]; loggers: Logger[] } {
  const callbacks: Callback[] = [];
  const loggersInCallbacks: Logger[] = [];
  if (callbacksOption !== undefined) {
    if (!Array.isArray(callbacksOption)) {
      const hint = callbacksOption instanceof Callback || isLogger(callbacksOption) ? '; wrap it in an array: callbacks: [it]' : '';
      fail(`option 'callbacks' must be an array of callbacks (loggers allowed), ${gotWrongKind(callbacksOption)}${hint}`);
    }
    callbacksOption.forEach((item: unknown, index) => {
      if (item instanceof Callback) callbacks.push(item);
      else if (isLogger(item)) loggersInCallbacks.push(item);
      else fail(`callbacks[${index}] must be a Callback or a logger, ${gotWrongKind(item)}`);
    });
  }
  if (loggerOption === false) {
    if (loggersInCallbacks.length > 0) fail(`logger is false (logging off), but callbacks holds ${loggersInCallbacks.map(nameOf).join(', ')}; remove one or the other`);
    return { callbacks, loggers: [] };
  }
  const given = loggerOption === undefined ? [] : Array.isArray(loggerOption) ? (loggerOption as unknown[]) : [loggerOption];
  given.forEach((item, index) => {
    if (!isLogger(item)) {
      const at = Array.isArray(loggerOption) ? `logger[${index}]` : `option 'logger'`;
      const hint = item instanceof Callback ? '' : '; a logger has logMetrics(metrics, step), e.g. a CSVLogger';
      fail(`${at} must be a logger (or false), ${gotWrongKind(item)}${hint}`);
    }
  });
  // The same logger in both options is one logger, not two writers of one file.
  const loggers = [...new Set([...(given as Logger[]), ...loggersInCallbacks])];
  return { callbacks, loggers };
}

function nameOf(value: object): string {
  return value.constructor.name || 'a logger';
}
