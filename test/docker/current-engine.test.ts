import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answersOneShotAtOnce, STATS_WINDOW_MS } from '../../src/collectors/docker/engine.js';
import { collect } from '../../src/collectors/docker/index.js';
import type { DockerContainer, DockerFacts } from '../../src/collectors/docker/schema.js';
import type { TargetFacts } from '../../src/core/facts.js';
import { serviceContainer } from '../support/docker.js';
import { requireService } from '../support/services.js';

// Against the second engine of scripts/services/docker_current.sh: Debian 13's dockerd (26.1),
// which takes a one-shot stats sample at once (moby/moby#46448), with project strisk-current: cpu
// (a busy loop under --cpus 0.1) and idle (asleep under --memory 32m). The collector reaches it
// through a proxy on 127.0.0.1 that passes every byte on and records each request line, so the
// test sees which requests were sent (test/docker/one-shot.test.ts shows the same branch against
// a fake engine; test/docker/collector.test.ts the 20.10 engine's `stream=false` answer).
const MIB = 1024 * 1024;
const requests: string[] = [];
const sockets = new Set<Socket>();
let proxy: Server;
let facts: TargetFacts<DockerFacts>;
let data: DockerFacts;
const container = (service: string): DockerContainer => serviceContainer(data, service);

beforeAll(async () => {
  const socketPath = decodeURIComponent(new URL(requireService('STRISK_TEST_DOCKER_CURRENT')).pathname);
  proxy = createServer((client) => {
    const engine = connect(socketPath);
    sockets.add(client).add(engine);
    let head = '';
    client.on('data', (chunk) => {
      // GETs carry no body: every line of the form `METHOD target HTTP/1.1` starts a request.
      head += chunk.toString('latin1');
      const lines = head.split('\r\n');
      head = lines.pop() ?? '';
      for (const line of lines) if (/^[A-Z]+ \S+ HTTP\/1\.[01]$/.test(line)) requests.push(line);
    });
    client.pipe(engine).pipe(client);
    const end = () => {
      client.destroy();
      engine.destroy();
    };
    client.on('error', end).on('close', end);
    engine.on('error', end).on('close', end);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const { port } = proxy.address() as { port: number };
  facts = await collect(
    { url: `tcp://127.0.0.1:${port}`, project: requireService('STRISK_TEST_DOCKER_CURRENT_PROJECT') },
    { timeoutMs: 15_000, projectDir: '.' },
  );
  expect(facts, facts.message).toMatchObject({ status: 'ok' });
  data = facts.data!;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => proxy.close(r));
});

describe('docker collector on an engine that samples one-shot at once', () => {
  it('is talking to such an engine', () => {
    expect(answersOneShotAtOnce(data.engine!.version)).toBe(true);
    expect(data.containers.map((c) => c.service).sort()).toEqual(['cpu', 'idle']);
  });

  it('asks each running container for two one-shot samples, and nothing but GETs', () => {
    const stats = requests.filter((r) => r.includes('/stats'));
    expect(stats).toHaveLength(2 * data.containers.length);
    for (const r of stats) expect(r).toMatch(/^GET \S+\/stats\?stream=false&one-shot=true HTTP\/1\.1$/);
    for (const id of data.containers.map((c) => c.id)) {
      expect(stats.filter((r) => r.includes(`/containers/${id}/stats`))).toHaveLength(2);
    }
    expect(requests.filter((r) => !r.startsWith('GET ') && !r.startsWith('HEAD '))).toEqual([]);
  });

  it('measures CPU over its own window between the two samples', () => {
    for (const c of data.containers) {
      expect(c.stats, c.statsError).not.toBeNull();
      // The engine's read times of the two samples: the pause between them, and the second request.
      expect(c.stats!.windowMs).toBeGreaterThanOrEqual(STATS_WINDOW_MS - 5);
      expect(c.stats!.onlineCpus).toBe(data.engine!.ncpu);
    }
    // The busy loop sits at its limit: ~10% of one core (tolerant of a loaded machine).
    const cpu = container('cpu');
    expect(cpu.cpuLimit).toBeCloseTo(0.1);
    expect(cpu.stats!.cpuPercent!).toBeGreaterThan(7.5);
    expect(cpu.stats!.cpuPercent!).toBeLessThan(13);
    const idle = container('idle').stats!;
    expect(idle.cpuPercent!).toBeLessThan(2);
    expect(idle.memoryLimitBytes).toBe(32 * MIB);
    expect(idle.memoryUsageBytes).toBeLessThan(8 * MIB);
  });
});
