import { Callback, describeKind, describeValue, rejectUnknownOptions, type OptionKeys, type Trainer } from '@cairn/core';
import { defaultPrint, type Print } from './print.js';

export interface RemoteMonitorOptions {
  /** Server root. Default 'http://localhost:9000'. */
  root?: string;
  /** Appended to root. Default '/publish/epoch/end/'. */
  path?: string;
  /** Form field holding the JSON when sendAsJson is false. Default 'data'. */
  field?: string;
  headers?: Record<string, string>;
  /** POST the metrics as a JSON body (default true); false sends a form with the JSON in `field` (Keras's default). */
  sendAsJson?: boolean;
  /** Give up on a request after this long, so a stalled server cannot stall training. Default 5000 ms. */
  timeoutMs?: number;
  print?: Print;
}

const KNOWN: OptionKeys<RemoteMonitorOptions> = { root: true, path: true, field: true, headers: true, sendAsJson: true, timeoutMs: true, print: true };

function fail(message: string): never {
  throw new Error(`RemoteMonitor: ${message}`);
}

/**
 * Keras's RemoteMonitor: POSTs `{ epoch, ...metrics }` at the end of every training epoch. A
 * server that cannot be reached (or answers an error) is reported, never allowed to stop training.
 */
export class RemoteMonitor extends Callback {
  // After the module's epoch-end hook, so the metrics it logs there are sent.
  override readonly monitorsMetrics = true;
  readonly url: string;
  readonly root: string;
  readonly field: string;
  readonly sendAsJson: boolean;
  readonly timeoutMs: number;
  private readonly headers: Record<string, string>;
  private readonly print: Print;

  constructor(options: RemoteMonitorOptions = {}) {
    super();
    rejectUnknownOptions('RemoteMonitor', options, KNOWN);
    const { root = 'http://localhost:9000', path = '/publish/epoch/end/', field = 'data', sendAsJson = true, timeoutMs = 5000 } = options;
    const ROOT = "root must be an http(s) URL such as 'http://localhost:9000'";
    if (typeof root !== 'string') fail(`${ROOT}, got ${describeValue(root)}`);
    if (typeof path !== 'string') fail(`path must be a string appended to root, got ${describeValue(path)}`);
    let protocol = '';
    try {
      protocol = new URL(root).protocol;
    } catch {
      fail(`${ROOT}; ${JSON.stringify(root)} is not a URL`);
    }
    if (protocol !== 'http:' && protocol !== 'https:') fail(`${ROOT}, got ${describeValue(root)} (protocol ${protocol})`);
    const url = root + path;
    try {
      new URL(url);
    } catch {
      fail(`${JSON.stringify(url)} (root + path) is not a URL; path must be a URL path such as '/publish/epoch/end/'`);
    }
    if (typeof field !== 'string' || field.length === 0) fail(`field must be a non-empty form field name, got ${describeValue(field)}`);
    if (typeof sendAsJson !== 'boolean') fail(`sendAsJson must be a boolean (true or false), got ${describeValue(sendAsJson)}`);
    if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      fail(`timeoutMs must be a positive finite number of milliseconds, got ${typeof timeoutMs === 'string' ? JSON.stringify(timeoutMs) : String(timeoutMs)}`);
    }
    const { headers = {}, print = defaultPrint } = options;
    // A plain object only: its entries are spread into the request, so a Map or Headers would send nothing.
    const plain = typeof headers === 'object' && headers !== null && [Object.prototype, null].includes(Object.getPrototypeOf(headers) as object | null);
    if (!plain || !Object.values(headers).every((v) => typeof v === 'string')) {
      fail(`headers must be an object of string values, got ${describeKind(headers)}`);
    }
    if (typeof print !== 'function') fail('print must be a function');
    this.root = root;
    this.url = url;
    this.field = field;
    this.sendAsJson = sendAsJson;
    this.timeoutMs = timeoutMs;
    this.headers = { ...headers };
    this.print = print;
  }

  override async onTrainEpochEnd(trainer: Trainer): Promise<void> {
    // JSON has no NaN or Infinity: such values are sent as null.
    const json = JSON.stringify({ epoch: trainer.currentEpoch, ...trainer.callbackMetrics });
    const init: RequestInit = this.sendAsJson
      ? { body: json, headers: { 'Content-Type': 'application/json', ...this.headers } }
      : { body: new URLSearchParams({ [this.field]: json }), headers: this.headers };
    try {
      const response = await fetch(this.url, { ...init, method: 'POST', signal: AbortSignal.timeout(this.timeoutMs) });
      await response.body?.cancel();
      if (!response.ok) this.print(`RemoteMonitor: ${this.url} answered ${response.status} ${response.statusText}`);
    } catch (error) {
      this.print(`RemoteMonitor: could not reach the root server at ${this.root}: ${describe(error)}`);
    }
  }
}

function describe(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  if (cause?.code !== undefined) return cause.code;
  return error instanceof Error ? (cause?.message ?? error.message) : String(error);
}
