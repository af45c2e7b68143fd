import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answersOneShotAtOnce, STATS_WINDOW_MS } from '../../src/collectors/docker/engine.js';
import { collect } from '../../src/collectors/docker/index.js';

// Engines from 24.0.7 on (moby/moby#46448) take a one-shot sample at once; the test engine here is
// 20.10 (test/docker/collector.test.ts covers its two-round `stream=false` answer), so this branch
// is shown against a fake engine on 127.0.0.1 that answers one-shot at once with counters that
// grow as a container using a quarter of one core would, and never answers `stream=false`.
const CONTAINERS = 30;
const NS_PER_MS = 1e6;
let server: Server;
let url: string;
const asked = { oneShot: 0, twoShot: 0 };
const t0 = performance.now();

beforeAll(async () => {
  server = createServer((req, res) => {
    const json = (body: unknown) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(body));
    };
    const path = req.url ?? '';
    if (path.includes('/stats')) {
      if (!path.includes('one-shot=true')) {
        asked.twoShot++;
        return; // never answered: this engine is only asked for one-shot samples
      }
      asked.oneShot++;
      const ms = performance.now() - t0;
      return json({
        read: new Date().toISOString(),
        preread: '0001-01-01T00:00:00Z',
        cpu_stats: {
          cpu_usage: { total_usage: Math.round(ms * NS_PER_MS * 0.25) },
          system_cpu_usage: Math.round(ms * NS_PER_MS * 2),
          online_cpus: 2,
        },
        precpu_stats: { cpu_usage: { total_usage: 0 } },
        memory_stats: { usage: 10 * 2 ** 20, limit: 64 * 2 ** 20, stats: { inactive_file: 2 ** 20 } },
      });
    }
    if (path.startsWith('/info')) return json({ ServerVersion: '25.0.3', NCPU: 2, MemTotal: 2 ** 31 });
    if (path.startsWith('/version')) return json({ Version: '25.0.3', ApiVersion: '1.44' });
    if (path.startsWith('/containers/json'))
      return json(
        Array.from({ length: CONTAINERS }, (_, i) => ({
          Id: i.toString(16).padStart(64, '0'),
          State: 'running',
        })),
      );
    const inspect = /^\/containers\/([0-9a-f]+)\/json/.exec(path);
    if (inspect)
      return json({
        Id: inspect[1],
        Name: `/c${inspect[1]!.slice(-2)}`,
        Config: { Image: 'fake/app:1' },
        HostConfig: { Memory: 64 * 2 ** 20 },
        State: { Status: 'running' },
      });
    if (path.endsWith('/history')) return json([]);
    if (path.startsWith('/images/'))
      return json({ Id: 'sha256:1', Size: 1, RootFS: { Layers: [] }, Config: {} });
    res.statusCode = 404;
    json({ message: 'not found' });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `tcp://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('docker stats on engines that sample one-shot at once', () => {
  it('knows them by version: 24.0.7 and later', () => {
    expect(answersOneShotAtOnce('20.10.24+dfsg1')).toBe(false);
    expect(answersOneShotAtOnce('24.0.6')).toBe(false);
    expect(answersOneShotAtOnce('24.0.7')).toBe(true);
    expect(answersOneShotAtOnce('25.0.3')).toBe(true);
    expect(answersOneShotAtOnce('28.2.2')).toBe(true);
    expect(answersOneShotAtOnce('')).toBe(false);
    expect(answersOneShotAtOnce('master-dockerproject-2024')).toBe(false);
  });

  it('takes two one-shot samples a window apart per container and measures CPU between them', async () => {
    const t = await collect({ url }, { timeoutMs: 5000, projectDir: '.' });
    expect(t.status, t.message).toBe('ok');
    const containers = t.data!.containers;
    expect(containers).toHaveLength(CONTAINERS);
    expect(asked).toEqual({ oneShot: 2 * CONTAINERS, twoShot: 0 });
    for (const c of containers) {
      expect(c.stats, c.statsError).not.toBeNull();
      // A quarter of one core, as the docker CLI counts it (100% = one core).
      expect(c.stats!.cpuPercent!).toBeCloseTo(25, 0);
      expect(c.stats!.windowMs).toBeGreaterThanOrEqual(STATS_WINDOW_MS - 5);
      expect(c.stats!.memoryUsageBytes).toBe(9 * 2 ** 20);
    }
  });
});
