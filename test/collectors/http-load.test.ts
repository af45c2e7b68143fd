import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoad } from '../../src/collectors/http/load.js';

// The load client frames answers itself (plain sockets, not node:http's client): against Node's own
// HTTP server it must count every answer right, however it is framed, and bound what it waits for.
let server: Server;
let base: string;
const slow = new Set<import('node:http').ServerResponse>();

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    switch (url.pathname) {
      case '/length':
        res.setHeader('content-length', '5');
        res.end('hello');
        return;
      case '/chunked':
        // No length: Node sends it chunked, in several chunks, with a trailer.
        res.setHeader('trailer', 'x-sum');
        res.write('a'.repeat(3000));
        res.write('b');
        res.addTrailers({ 'x-sum': '3001' });
        res.end('c'.repeat(70_000));
        return;
      case '/close':
        res.setHeader('connection', 'close');
        res.end('bye');
        return;
      case '/empty':
        res.statusCode = 204;
        res.end();
        return;
      case '/hints':
        res.writeEarlyHints({ link: '</a.css>; rel=preload' });
        res.end('after hints');
        return;
      case '/error':
        res.statusCode = 503;
        res.end('down');
        return;
      case '/hang':
        slow.add(res);
        return;
      case '/cut':
        res.setHeader('content-length', '100');
        res.write('only part');
        setTimeout(() => res.destroy(), 5);
        return;
      default:
        res.statusCode = 404;
        res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const load = (path: string, extra: Partial<Parameters<typeof runLoad>[0]> = {}) =>
  runLoad({
    url: new URL(path, base),
    concurrency: 4,
    durationMs: 5000,
    maxRequests: 200,
    timeoutMs: 2000,
    ...extra,
  });

describe('http load client framing', () => {
  it('Content-Length answers over kept-alive connections: every request counted, one connection each', async () => {
    const r = await load('/length');
    expect(r).toMatchObject({ requests: 200, errors: 0, stoppedBy: 'requests', connections: 4 });
    expect(r.latencyMs!.p99).toBeGreaterThan(0);
  });

  it('chunked answers with trailers, split across reads', async () => {
    const r = await load('/chunked', { maxRequests: 50 });
    expect(r).toMatchObject({ requests: 50, errors: 0, connections: 4 });
  });

  it('Connection: close: a new connection per request, no errors', async () => {
    const r = await load('/close', { maxRequests: 40 });
    expect(r).toMatchObject({ requests: 40, errors: 0, connections: 40 });
  });

  it('204 without a body, and 103 Early Hints before the answer', async () => {
    expect(await load('/empty', { maxRequests: 20 })).toMatchObject({
      requests: 20,
      errors: 0,
      connections: 4,
    });
    expect(await load('/hints', { maxRequests: 20 })).toMatchObject({
      requests: 20,
      errors: 0,
      connections: 4,
    });
  });

  it('5xx answers are counted as errors of their kind', async () => {
    const r = await load('/error', { maxRequests: 20 });
    expect(r).toMatchObject({
      requests: 20,
      errors: 20,
      errorsByKind: { status5xx: 20 },
      firstError: 'HTTP 503',
    });
  });

  it('an answer cut short is a network error; a silent server times out within the request timeout', async () => {
    const cut = await load('/cut', { maxRequests: 8 });
    expect(cut).toMatchObject({ requests: 8, errors: 8, errorsByKind: { network: 8 } });
    const started = performance.now();
    const hang = await load('/hang', { maxRequests: 4, timeoutMs: 300 });
    expect(hang).toMatchObject({ requests: 4, errorsByKind: { timeout: 4 } });
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('stops at its duration, and at its deadline signal with the requests in flight cut', async () => {
    const timed = await load('/length', { maxRequests: 10_000_000, durationMs: 300 });
    expect(timed.stoppedBy).toBe('duration');
    expect(timed.requests).toBeGreaterThan(0);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const r = await load('/hang', { maxRequests: 100, timeoutMs: 60_000, signal: controller.signal });
    expect(r).toMatchObject({
      requests: 4,
      errorsByKind: { network: 4 },
      firstError: 'cut at the load deadline',
    });
  });

  it('a closed port: network errors, bounded by the request count', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const { port } = probe.address() as AddressInfo;
    await new Promise((r) => probe.close(r));
    const r = await runLoad({
      url: new URL(`http://127.0.0.1:${port}/`),
      concurrency: 2,
      durationMs: 5000,
      maxRequests: 10,
      timeoutMs: 1000,
    });
    expect(r).toMatchObject({ requests: 10, errors: 10, errorsByKind: { network: 10 } });
    expect(r.firstError).toMatch(/ECONNREFUSED/);
  });
});
