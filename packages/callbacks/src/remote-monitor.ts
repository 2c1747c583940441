import { Callback, type Trainer } from '@cairn/core';
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
  log?: Print;
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
    this.root = options.root ?? 'http://localhost:9000';
    this.url = this.root + (options.path ?? '/publish/epoch/end/');
    let protocol: string;
    try {
      protocol = new URL(this.url).protocol;
    } catch {
      throw new Error(`RemoteMonitor: ${JSON.stringify(this.url)} (root + path) is not a URL`);
    }
    if (protocol !== 'http:' && protocol !== 'https:') throw new Error(`RemoteMonitor: ${this.url} is not an http(s) URL`);
    this.field = options.field ?? 'data';
    this.sendAsJson = options.sendAsJson ?? true;
    this.timeoutMs = options.timeoutMs ?? 5000;
    if (!(this.timeoutMs > 0)) throw new Error(`RemoteMonitor: timeoutMs must be positive, got ${this.timeoutMs}`);
    this.headers = { ...options.headers };
    this.print = options.log ?? defaultPrint;
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
