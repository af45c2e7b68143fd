import { beforeAll, describe, expect, it } from 'vitest';
import containerLimits from '../../src/checks/docker/container-limits.js';
import cpuUsage from '../../src/checks/docker/cpu-usage.js';
import imageSize from '../../src/checks/docker/image-size.js';
import memoryUsage from '../../src/checks/docker/memory-usage.js';
import { collect, collectImageArchive } from '../../src/collectors/docker/index.js';
import type { DockerFacts } from '../../src/collectors/docker/schema.js';
import { runCheck } from '../../src/core/engine.js';
import type { Facts, TargetFacts } from '../../src/core/facts.js';
import { emptyFacts } from '../support/fixtures.js';
import { requireService } from '../support/services.js';

// Every docker check's verdict on facts collected from the real test engine.
const ctx = { timeoutMs: 15_000, projectDir: '.' };
let project: TargetFacts<DockerFacts>;

function factsOf(...targets: TargetFacts<DockerFacts>[]): Facts {
  const facts = emptyFacts();
  facts.sources.docker = targets as TargetFacts[];
  return facts;
}

/** The project's facts narrowed to some services (and images). */
function only(services: string[], images: string[] = []): Facts {
  const data = project.data!;
  return factsOf({
    ...project,
    data: {
      ...data,
      containers: data.containers.filter((c) => services.includes(c.service ?? '')),
      images: data.images.filter((i) => images.includes(i.ref)),
    },
  });
}

const evidenceOf = (r: ReturnType<typeof runCheck>, name: string) =>
  r.evidence.find((e) => e.subject === `container strisk-test-${name}-1` || e.subject === `image ${name}`);

beforeAll(async () => {
  const url = requireService('STRISK_TEST_DOCKER');
  project = await collect(
    {
      url,
      project: 'strisk-test',
      images: ['strisk-test/small:latest', 'strisk-test/big:latest', 'strisk-test/absent:1'],
    },
    ctx,
  );
  expect(project.status, project.message).toBe('ok');
});

describe('docker/image-size', () => {
  it('passes the small multi-stage image', () => {
    const r = runCheck(imageSize, only([], ['strisk-test/small:latest']));
    expect(r.status).toBe('pass');
    expect(evidenceOf(r, 'strisk-test/small:latest')).toMatchObject({
      status: 'pass',
      unit: 'MB',
      expected: '< 500',
    });
  });
  it('fails the 630 MB image, names its largest layer, and says to rebuild', () => {
    const r = runCheck(imageSize, only([], ['strisk-test/small:latest', 'strisk-test/big:latest']));
    expect(r.status).toBe('fail');
    const e = evidenceOf(r, 'strisk-test/big:latest')!;
    expect(e.observed).toBeGreaterThan(600);
    expect(e.note).toMatch(/largest layer 629\.1 MB: dd if=\/dev\/zero/);
    expect(r.remediation).toMatchObject({ applies: 'rebuild' });
  });
  it('reports an image that is not on the engine, never as a pass', () => {
    const mixed = runCheck(imageSize, only([], ['strisk-test/small:latest', 'strisk-test/absent:1']));
    expect(mixed.status).toBe('warn');
    expect(evidenceOf(mixed, 'strisk-test/absent:1')).toMatchObject({
      status: 'warn',
      note: 'not found on the engine',
    });
    const absent = runCheck(imageSize, only([], ['strisk-test/absent:1']));
    expect(absent).toMatchObject({
      status: 'skip',
      message: '1 image not found on the engine: strisk-test/absent:1',
    });
  });
  it('passes the saved archive without an engine', async () => {
    const archive = await collectImageArchive(requireService('STRISK_TEST_DOCKER_ARCHIVE'), ctx);
    const r = runCheck(imageSize, factsOf(archive));
    expect(r.status).toBe('pass');
    expect(r.evidence[0]).toMatchObject({ subject: 'image strisk-test/small:latest', status: 'pass' });
  });
});

describe('docker/container-limits', () => {
  it('passes the container that has everything', () => {
    expect(runCheck(containerLimits, only(['api'])).status).toBe('pass');
  });
  it('fails the project, names what each container lacks, and gives compose YAML to redeploy', () => {
    const r = runCheck(containerLimits, only(['api', 'worker', 'cpu', 'mem']));
    expect(r.status).toBe('fail');
    expect(evidenceOf(r, 'api')).toMatchObject({ status: 'pass' });
    expect(evidenceOf(r, 'worker')).toMatchObject({
      status: 'fail',
      note: 'no memory limit; no CPU limit; no healthcheck; json-file without max-size: logs never rotate; restart policy no',
    });
    expect(evidenceOf(r, 'cpu')!.note).toMatch(/^no healthcheck; json-file without max-size/);
    expect(r.message).toBe(
      'containers falling short: strisk-test-cpu-1, strisk-test-mem-1, strisk-test-worker-1',
    );
    expect(r.remediation?.applies).toBe('redeploy');
    expect(r.remediation?.change).toContain(
      "  worker:\n    deploy:\n      resources:\n        limits:\n          memory: 512M\n          cpus: '2'",
    );
    expect(r.remediation?.change).toContain('restart: unless-stopped');
    expect(r.remediation?.change).not.toContain('  api:');
  });
  it('skips when nothing runs in the project', () => {
    expect(runCheck(containerLimits, only([]))).toMatchObject({
      status: 'skip',
      message: 'no running containers in compose project strisk-test',
    });
  });
});

describe('docker/cpu-usage', () => {
  it('fails the busy loop at its limit', () => {
    const r = runCheck(cpuUsage, only(['api', 'cpu']));
    expect(r.status).toBe('fail');
    const e = evidenceOf(r, 'cpu')!;
    expect(e).toMatchObject({ status: 'fail', unit: '% of CPU limit', expected: '< 70' });
    expect(e.observed).toBeGreaterThan(70);
    expect(evidenceOf(r, 'api')).toMatchObject({ status: 'pass' });
  });
  it('passes idle containers, measuring an unlimited one against the host', () => {
    const r = runCheck(cpuUsage, only(['api', 'worker']));
    expect(r.status).toBe('pass');
    expect(evidenceOf(r, 'worker')).toMatchObject({
      unit: '% of host CPUs',
      note: expect.stringMatching(/^no CPU limit/),
    });
  });
});

describe('docker/memory-usage', () => {
  it('fails the container holding ~90% of its limit', () => {
    const r = runCheck(memoryUsage, only(['api', 'mem']));
    expect(r.status).toBe('fail');
    const e = evidenceOf(r, 'mem')!;
    expect(e.observed).toBeGreaterThan(85);
    expect(e.observed).toBeLessThan(100);
    expect(r.remediation?.change).toContain('memory: 64M');
  });
  it('passes containers well under their limits', () => {
    expect(runCheck(memoryUsage, only(['api', 'cpu'])).status).toBe('pass');
  });
  it('warns, saying so, on a container without a limit', () => {
    const r = runCheck(memoryUsage, only(['api', 'worker']));
    expect(r.status).toBe('warn');
    expect(evidenceOf(r, 'worker')!.note).toMatch(/^no memory limit: nothing to measure against/);
  });
});
