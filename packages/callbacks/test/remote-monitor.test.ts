import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { resetRandom } from '@cairn/core';
import { RemoteMonitor, type RemoteMonitorOptions } from '../src/remote-monitor.js';
import { loaders, testTrainer, TinyRegressor } from './helpers/tiny-module.js';

interface Received {
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

const servers: Server[] = [];

afterEach(async () => {
  resetRandom();
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

/** A real HTTP server on 127.0.0.1, on a free port, recording every request. */
async function serve(answer: (res: ServerResponse) => void = (res) => res.end('ok')): Promise<{ root: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      received.push({ url: req.url ?? '', headers: req.headers, body });
      answer(res);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { root: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

async function fitWith(options: RemoteMonitorOptions, epochs = 2): Promise<{ lines: string[]; epochs: number }> {
  const lines: string[] = [];
  const { train, val } = loaders();
  const result = await testTrainer({ maxEpochs: epochs, callbacks: [new RemoteMonitor({ ...options, print: (l) => lines.push(l) })] }).fit(new TinyRegressor(), train, val);
  return { lines, epochs: result.epochs };
}

describe('RemoteMonitor', () => {
  it("POSTs each epoch's metrics as JSON to root + path, with the given headers", async () => {
    const { root, received } = await serve();
    const { lines } = await fitWith({ root, headers: { 'X-Run': 'r1' } });
    expect(lines).toEqual([]);
    expect(received).toHaveLength(2);
    for (const [epoch, request] of received.entries()) {
      expect(request.url).toBe('/publish/epoch/end/');
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers['x-run']).toBe('r1');
      const payload = JSON.parse(request.body) as Record<string, number>;
      expect(payload.epoch).toBe(epoch);
      expect(Object.keys(payload).sort()).toEqual(['epoch', 'train_loss', 'train_loss_epoch', 'train_loss_step', 'val_loss']);
      expect(Number.isFinite(payload.val_loss)).toBe(true);
    }
  });

  it("sendAsJson false sends Keras's form: the JSON in `field`", async () => {
    const { root, received } = await serve();
    await fitWith({ root, path: '/metrics', field: 'payload', sendAsJson: false }, 1);
    expect(received[0]!.url).toBe('/metrics');
    expect(received[0]!.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    const form = new URLSearchParams(received[0]!.body);
    expect((JSON.parse(form.get('payload')!) as { epoch: number }).epoch).toBe(0);
  });

  it('an error answer, a closed port or a silent server is reported and training goes on', async () => {
    const failing = await serve((res) => {
      res.statusCode = 500;
      res.end('boom');
    });
    expect(await fitWith({ root: failing.root })).toEqual({ epochs: 2, lines: Array(2).fill(`RemoteMonitor: ${failing.root}/publish/epoch/end/ answered 500 Internal Server Error`) });

    const closed = await serve();
    const server = servers.pop()!;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const refused = await fitWith({ root: closed.root });
    expect(refused.epochs).toBe(2);
    expect(refused.lines[0]).toBe(`RemoteMonitor: could not reach the root server at ${closed.root}: ECONNREFUSED`);

    const silent = await serve(() => undefined);
    const timedOut = await fitWith({ root: silent.root, timeoutMs: 200 }, 1);
    expect(timedOut.epochs).toBe(1);
    expect(timedOut.lines[0]).toMatch(/could not reach the root server .*(timeout|aborted)/i);
  });

  it('rejects a root + path that is not an http URL', () => {
    expect(() => new RemoteMonitor({ root: 'localhost:9000' })).toThrow(/http/);
    expect(() => new RemoteMonitor({ root: 'not a url' })).toThrow(/not a URL/);
    expect(() => new RemoteMonitor({ timeoutMs: 0 })).toThrow(/timeoutMs/);
  });
});
