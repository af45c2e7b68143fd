// The request every HTTP-speaking collector uses: its idle timeout measures the server, not this
// process; its cap and its signal end a request at once. The servers run in a worker thread, so
// they keep answering while this thread is blocked.
import { Agent } from 'node:http';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boundedRequest, WireError } from '../../src/collectors/bounded-request.js';

// A server per behaviour, in another thread: `/ok` answers at once, `/soon` after 100 ms,
// `/silent` never, `/endless` streams forever.
const SERVER = `
const { parentPort } = require('node:worker_threads');
const http = require('node:http');
const server = http.createServer((req, res) => {
  if (req.url === '/ok') return res.end('{"ok":true}');
  // Promises a long keep-alive, then closes the connection 10 ms later, as a restarted server does.
  if (req.url === '/then-close') {
    res.setHeader('Keep-Alive', 'timeout=60');
    res.end('{"ok":true}');
    return setTimeout(() => req.socket.end(), 10);
  }
  if (req.url === '/soon') return setTimeout(() => res.end('{"ok":true}'), 100);
  if (req.url === '/endless') {
    res.writeHead(200);
    const chunk = Buffer.alloc(65536, 'x');
    const pump = () => { while (!res.destroyed && res.write(chunk)); };
    res.on('drain', pump);
    return pump();
  }
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
parentPort.on('message', () => { server.closeAllConnections(); server.close(); parentPort.close(); });
`;

let worker: Worker;
let origin: string;

beforeAll(async () => {
  worker = new Worker(SERVER, { eval: true });
  const port = await new Promise<number>((resolve) => worker.once('message', resolve));
  origin = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  worker.postMessage('stop');
  await worker.terminate();
});

const get = (path: string, extra: Partial<Parameters<typeof boundedRequest>[0]> = {}) =>
  boundedRequest({ method: 'GET', origin, path, maxBytes: 1024 * 1024, idleMs: 300, ...extra });

function blockFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // a busy CPU: the event loop cannot run
  }
}

describe('boundedRequest', () => {
  it('does not time out a server that answered while this process was starved', async () => {
    const pending = get('/soon');
    // The request is written; the server answers 100 ms later, while this thread is blocked for
    // four idle timeouts (in the check phase, as parsing another answer would be): the answer waits
    // in the socket, the next loop turn starts with the expired timer, and it must not win.
    await new Promise((r) => setTimeout(r, 50));
    await new Promise<void>((r) =>
      setImmediate(() => {
        blockFor(1200);
        r();
      }),
    );
    const res = await pending;
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('{"ok":true}');
  });

  it('times out a server that sends nothing, after the idle timeout', async () => {
    const started = performance.now();
    const err = await get('/silent').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WireError);
    expect((err as WireError).kind).toBe('idle');
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('cuts an endless body at the cap, and keeps only what was asked', async () => {
    const err = await get('/endless').catch((e: unknown) => e);
    expect((err as WireError).kind).toBe('too-large');
    expect((err as Error).message).toMatch(/exceeds 1048576 bytes/);
    const kept = await get('/ok', { keepBytes: 4 });
    expect(kept.body.toString()).toBe('{"ok');
    expect(kept.size).toBe(11);
  });

  it('hands a streamed body on chunk by chunk, under the same cap, and ends it when that throws', async () => {
    const got: Buffer[] = [];
    const res = await get('/ok', { stream: (status) => (status === 200 ? (c) => got.push(c) : undefined) });
    expect(Buffer.concat(got).toString()).toBe('{"ok":true}');
    expect(res.body.length).toBe(0);
    expect(res.size).toBe(11);
    const capped = await get('/endless', { stream: () => () => {} }).catch((e: unknown) => e);
    expect((capped as WireError).kind).toBe('too-large');
    const thrown = await get('/endless', {
      stream: () => () => {
        throw new Error('bad row');
      },
    }).catch((e: unknown) => e);
    expect((thrown as Error).message).toBe('bad row');
    // Nothing handed on: the body is kept as usual.
    const kept = await get('/ok', { stream: () => undefined });
    expect(kept.body.toString()).toBe('{"ok":true}');
  });

  it('ends at the signal, with its reason, even while bytes keep arriving', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('the deadline passed')), 200);
    const err = await get('/endless', {
      maxBytes: Number.MAX_SAFE_INTEGER,
      keepBytes: 0,
      signal: controller.signal,
    }).catch((e: unknown) => e);
    expect((err as WireError).kind).toBe('deadline');
    expect((err as Error).message).toBe('the deadline passed');
  });

  it('sends a read again when the kept-alive connection it picked was closed by the server', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      expect((await get('/then-close', { agent })).status).toBe(200);
      // The server closes the idle connection after 10 ms; this thread does not see it in time.
      blockFor(200);
      const again = await get('/ok', { agent });
      expect(again.body.toString()).toBe('{"ok":true}');
    } finally {
      agent.destroy();
    }
  });
});
