import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy does to one request; `undefined` passes it through. */
export type Fault = { kind: 'status'; status: 500 | 503 } | { kind: 'reset-after'; bytes: number } | { kind: 'delay'; ms: number };

/** Decides per request (method, path) whether to inject a fault. */
export type FaultPlan = (method: string, path: string) => Fault | undefined;

/**
 * An HTTP proxy in front of the S3 server that injects faults: error answers, a connection reset
 * in the middle of a request body (an upload cut off), a slow answer; and it can be down (not
 * listening) and come back on the same port.
 */
export class FaultProxy {
  plan: FaultPlan = () => undefined;
  /** Requests seen, as `METHOD path`. */
  readonly seen: string[] = [];
  /** Requests whose answer has not been sent yet, as `METHOD path`. */
  readonly inFlight = new Set<string>();
  private server: Server | undefined;
  private port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(port = this.port): Promise<void> {
    const server = createServer((req, res) => this.handle(req, res));
    server.keepAliveTimeout = 1000;
    await new Promise<void>((done, fail) => {
      server.once('error', fail);
      server.listen(port, '127.0.0.1', () => done());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  /** Stops listening and cuts every open connection (a server that went away). */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((done) => server.close(() => done()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const name = `${method} ${path} #${this.seen.length}`;
    this.seen.push(`${method} ${path}`);
    this.inFlight.add(name);
    res.on('close', () => this.inFlight.delete(name));
    const fault = this.plan(method, path);
    if (fault?.kind === 'status') {
      req.resume();
      const code = fault.status === 503 ? 'SlowDown' : 'InternalError';
      res.writeHead(fault.status, { 'content-type': 'application/xml' });
      res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>injected by the fault proxy</Message></Error>`);
      return;
    }
    const upstream = request({ host: this.target.host, port: this.target.port, method, path, headers: req.headers }, (answer) => {
      const send = (): void => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      };
      if (fault?.kind === 'delay') setTimeout(send, fault.ms);
      else send();
    });
    upstream.on('error', () => res.destroy());
    if (fault?.kind === 'reset-after') {
      let received = 0;
      req.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received >= fault.bytes) {
          // The client sees its connection reset mid-body; the server sees an aborted request.
          upstream.destroy();
          req.socket.resetAndDestroy();
        }
      });
    }
    req.pipe(upstream);
  }
}
