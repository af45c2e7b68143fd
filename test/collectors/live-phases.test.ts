import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpFacts } from '../../src/collectors/http/schema.js';
import { collectLive } from '../../src/collectors/live.js';
import { sourceDeadlineMs } from '../../src/collectors/types.js';

// Issue 16: the http probe's load runs after the other sources have finished (it neither slows
// them nor is slowed by them) and under a deadline of its own, not the source's. A slow fake
// Docker engine and a fake API on 127.0.0.1 record when each request arrives.
const TIMEOUT_MS = 1000;
const LOAD_MS = sourceDeadlineMs(TIMEOUT_MS) + 500;
const ENGINE_DELAY_MS = 400;

const servers: Server[] = [];
let engineUrl: string;
let apiUrl: string;
let engineAnsweredAt = 0;
const probes: number[] = [];
const loads: number[] = [];

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  const engine = createServer((req, res) => {
    const answer = (body: unknown) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(body));
      engineAnsweredAt = Math.max(engineAnsweredAt, performance.now());
    };
    if (req.url?.startsWith('/info')) setTimeout(() => answer({ ServerVersion: '20.10.0' }), ENGINE_DELAY_MS);
    else if (req.url?.startsWith('/containers/json')) answer([]);
    else answer({ Version: '20.10.0', ApiVersion: '1.41' });
  });
  engineUrl = `tcp://127.0.0.1:${await listen(engine)}`;
  const api = createServer((req, res) => {
    (req.headers['user-agent'] === 'strisk-load' ? loads : probes).push(performance.now());
    res.setHeader('content-type', 'application/json');
    // 20 ms an answer keeps the load light: about 100 requests a second on two connections.
    setTimeout(() => res.end('{"status":"ok"}'), 20);
  });
  apiUrl = `http://127.0.0.1:${await listen(api)}`;
});

afterAll(async () => {
  for (const s of servers) s.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

describe('live sources: the http load after the others, on its own deadline', () => {
  it('probes with the other sources, loads once they are done, for longer than the source deadline', async () => {
    const started = performance.now();
    const results = new Map(
      await collectLive(
        {
          docker: [{ url: engineUrl }],
          http: [{ url: apiUrl, paths: ['/risks'], load: { durationMs: LOAD_MS, concurrency: 2 } }],
        },
        { timeoutMs: TIMEOUT_MS, projectDir: '.' },
      ),
    );
    const docker = results.get('docker')![0]!;
    const http = results.get('http')![0]!;
    expect(docker.status, docker.message).toBe('ok');
    expect(http.status, http.message).toBe('ok');
    // The probes ran while the engine was still answering; the load only after it had answered.
    expect(Math.min(...probes)).toBeLessThan(engineAnsweredAt);
    expect(loads.length).toBeGreaterThan(0);
    expect(Math.min(...loads)).toBeGreaterThanOrEqual(engineAnsweredAt);
    expect(engineAnsweredAt - started).toBeGreaterThanOrEqual(ENGINE_DELAY_MS - 50);
    // The load ran its whole duration, past the 4 s the source's deadline would have allowed.
    const load = (http.data as HttpFacts).load!;
    expect(load).toMatchObject({ stoppedBy: 'duration', errors: 0, path: '/risks' });
    expect(load.elapsedMs).toBeGreaterThanOrEqual(LOAD_MS);
    expect(http.durationMs).toBeGreaterThanOrEqual(LOAD_MS);
  }, 30_000);
});
