import type { LogOptions, LogValue } from '../metrics/log-options.js';

/** Where a module's `log()` calls go: set by the trainer running it, so the trainer needs no public logging method. */
export type LogSink = (name: string, value: LogValue, options: LogOptions) => void;

const sinks = new WeakMap<object, LogSink>();

export function connectLogSink(module: object, sink: LogSink): void {
  sinks.set(module, sink);
}

export function logSinkOf(module: object): LogSink | undefined {
  return sinks.get(module);
}
