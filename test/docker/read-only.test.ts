import { mkdtempSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RefusedRequestError } from '../../src/collectors/docker/connect.js';
import { collect, dockerOptions, readOnlyDocker } from '../../src/collectors/docker/index.js';
import { requireService } from '../support/services.js';

// A recording proxy on a unix socket in front of the test engine: every request the collector
// makes passes through it, so the test sees exactly which methods reached the engine.
const seen: string[] = [];
let proxy: Server;
let proxyUrl: string;

beforeAll(async () => {
  const engineSocket = new URL(requireService('STRISK_TEST_DOCKER')).pathname;
  const path = join(mkdtempSync(join(tmpdir(), 'strisk-docker-proxy-')), 'proxy.sock');
  proxy = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const upstream = request(
      { socketPath: engineSocket, path: req.url, method: req.method, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(path, resolve));
  proxyUrl = `unix://${path}`;
});

afterAll(() => new Promise<void>((resolve) => proxy.close(() => resolve())));

describe('the docker collector only reads', () => {
  it('sends nothing but GET while collecting everything', async () => {
    const t = await collect(
      { url: proxyUrl, project: 'strisk-test', images: ['strisk-test/small:latest', 'strisk-test/absent:1'] },
      { timeoutMs: 15_000, projectDir: '.' },
    );
    expect(t.status, t.message).toBe('ok');
    expect(seen.length).toBeGreaterThanOrEqual(2 + 1 + 4 * 2 + 3);
    expect(seen.filter((r) => !r.startsWith('GET '))).toEqual([]);
    const paths = seen.map((r) => r.replace(/\?.*/, ''));
    expect(paths).toEqual(
      expect.arrayContaining([
        'GET /info',
        'GET /version',
        'GET /containers/json',
        'GET /images/strisk-test/small:latest/history',
      ]),
    );
    expect(paths.filter((p) => /^GET \/containers\/[0-9a-f]{64}\/stats$/.test(p))).toHaveLength(4);
    expect(seen.filter((r) => r.includes('/stats')).every((r) => r.includes('stream=false'))).toBe(true);
  });

  it('refuses any other method before it reaches the engine', async () => {
    const docker = readOnlyDocker(dockerOptions(proxyUrl), { idleMs: 10_000 });
    const before = seen.length;
    const worker = '/containers/strisk-test-worker-1';
    await expect(docker.request('DELETE', `${worker}?force=true`)).rejects.toBeInstanceOf(
      RefusedRequestError,
    );
    await expect(docker.request('POST', `${worker}/kill`)).rejects.toThrow(/refuses POST .*only reads/);
    await expect(docker.request('POST', '/containers/create')).rejects.toBeInstanceOf(RefusedRequestError);
    await expect(docker.request('post', '/images/prune')).rejects.toBeInstanceOf(RefusedRequestError);
    expect(seen.length).toBe(before);
    const inspect = await docker.get<{ State: { Running: boolean } }>(`${worker}/json`);
    expect(inspect.State.Running).toBe(true);
    docker.close();
  });
});
