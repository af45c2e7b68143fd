import { beforeAll, describe, expect, it } from 'vitest';
import { collect } from '../../src/collectors/docker/index.js';
import type { DockerContainer, DockerFacts } from '../../src/collectors/docker/schema.js';
import type { TargetFacts } from '../../src/core/facts.js';
import { serviceContainer } from '../support/docker.js';
import { requireService } from '../support/services.js';

// Against the engine of scripts/services/docker.sh: project strisk-test with api (all limits),
// worker (none), cpu (busy loop under --cpus 0.1) and mem (29 MB of tmpfs under --memory 32m).
const ctx = { timeoutMs: 15_000, projectDir: '.' };
const MIB = 1024 * 1024;
let facts: TargetFacts<DockerFacts>;
let data: DockerFacts;
const container = (service: string): DockerContainer => serviceContainer(data, service);

beforeAll(async () => {
  const url = requireService('STRISK_TEST_DOCKER');
  facts = await collect(
    {
      url,
      project: 'strisk-test',
      images: ['strisk-test/small:latest', 'strisk-test/big:latest', 'strisk-test/absent:1'],
    },
    ctx,
  );
  expect(facts, facts.message).toMatchObject({ status: 'ok' });
  data = facts.data!;
});

describe('docker collector on a real engine', () => {
  it('reads the engine and the size of the machine', () => {
    expect(data.engine).toMatchObject({ os: 'linux', cgroupVersion: expect.any(String) });
    expect(data.engine!.version).toMatch(/^\d+\.\d+/);
    expect(data.engine!.ncpu).toBeGreaterThanOrEqual(1);
    expect(data.engine!.memTotalBytes).toBeGreaterThan(256 * MIB);
    expect(data.project).toBe('strisk-test');
  });

  it('reads images: engine-reported size, layers, user, healthcheck, command, history', () => {
    const [small, big, absent] = data.images;
    expect(small).toMatchObject({
      ref: 'strisk-test/small:latest',
      missing: false,
      user: 'app',
      cmd: ['sleep', '86400'],
    });
    expect(small!.sizeBytes).toBeGreaterThan(1_000_000);
    expect(small!.sizeBytes).toBeLessThan(10_000_000);
    expect(small!.healthcheck).toEqual({
      test: ['CMD', 'true'],
      intervalSeconds: 5,
      timeoutSeconds: 2,
      retries: 3,
    });
    expect(small!.id).toMatch(/^sha256:/);
    expect(small!.history.some((h) => h.createdBy.includes('COPY'))).toBe(true);
    expect(big!.sizeBytes).toBeGreaterThan(600_000_000);
    expect(big).toMatchObject({ user: null, healthcheck: null, layers: 2 });
    expect(big!.history.find((h) => h.createdBy.includes('dd if=/dev/zero'))?.sizeBytes).toBe(600 * MIB);
    expect(absent).toMatchObject({ ref: 'strisk-test/absent:1', missing: true, sizeBytes: null });
  });

  it('finds the containers of the compose project and matches them to services', () => {
    expect(data.containers.map((c) => c.service).sort()).toEqual(['api', 'cpu', 'mem', 'worker']);
    for (const c of data.containers) {
      expect(c).toMatchObject({ project: 'strisk-test', state: 'running', networkMode: 'none' });
      expect(c.name).toBe(`strisk-test-${c.service}-1`);
    }
  });

  it('reads limits, read-only rootfs, logging, restart policy and health', () => {
    expect(container('api')).toMatchObject({
      memoryLimitBytes: 64 * MIB,
      cpuLimit: 0.5,
      readOnlyRootfs: true,
      log: { driver: 'json-file', options: { 'max-size': '10m', 'max-file': '3' } },
      restartPolicy: { name: 'unless-stopped' },
      healthcheck: { test: ['CMD-SHELL', 'true'], intervalSeconds: 2 },
      health: { status: 'healthy' },
    });
    expect(container('worker')).toMatchObject({
      memoryLimitBytes: null,
      cpuLimit: null,
      readOnlyRootfs: false,
      log: { driver: 'json-file', options: {} },
      restartPolicy: { name: 'no' },
      healthcheck: null,
      health: null,
    });
    expect(container('cpu').cpuLimit).toBeCloseTo(0.1);
  });

  it('takes one stats sample per container, as the docker CLI computes it', () => {
    for (const c of data.containers) {
      expect(c.stats, c.statsError).not.toBeNull();
      expect(c.stats!.windowMs).toBeGreaterThan(0);
      expect(c.stats!.onlineCpus).toBe(data.engine!.ncpu);
    }
    // The busy loop sits at its limit: ~10% of one core (tolerant of a loaded machine).
    const cpu = container('cpu').stats!;
    expect(cpu.cpuPercent!).toBeGreaterThan(7.5);
    expect(cpu.cpuPercent!).toBeLessThan(13);
    expect(container('worker').stats!.cpuPercent!).toBeLessThan(2);
    // 29 MiB of tmpfs under 32 MiB: ~90% of the limit.
    const mem = container('mem').stats!;
    expect(mem.memoryLimitBytes).toBe(32 * MIB);
    expect(mem.memoryUsageBytes).toBeGreaterThan(29 * MIB);
    expect(mem.memoryUsageBytes).toBeLessThan(32 * MIB);
    // Unlimited: the engine reports the host's memory as the limit.
    expect(container('worker').stats!.memoryLimitBytes).toBe(data.engine!.memTotalBytes);
  });

  it('reads the containers in parallel: one target stays near one stats window', () => {
    expect(facts.durationMs).toBeLessThan(6000);
  });

  it('without images named, inspects the images the containers run; without a project, every running container', async () => {
    const url = requireService('STRISK_TEST_DOCKER');
    const all = await collect({ url }, ctx);
    expect(all.status).toBe('ok');
    expect(all.data!.project).toBeNull();
    expect(all.data!.containers.map((c) => c.name)).toEqual(
      expect.arrayContaining(['strisk-test-api-1', 'strisk-test-mem-1']),
    );
    expect(all.data!.images.map((i) => i.ref).sort()).toEqual([
      'strisk-test/base:1',
      'strisk-test/small:latest',
    ]);
  });

  it('finds nothing for a project that does not run', async () => {
    const url = requireService('STRISK_TEST_DOCKER');
    const none = await collect({ url, project: 'not-deployed' }, ctx);
    expect(none).toMatchObject({ status: 'ok', data: { containers: [], images: [] } });
  });
});
