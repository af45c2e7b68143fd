import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import http2 from '../../src/checks/app/http2.js';
import cacheHeaders from '../../src/checks/http/cache-headers.js';
import compression from '../../src/checks/http/compression.js';
import errorRate from '../../src/checks/http/error-rate.js';
import health from '../../src/checks/http/health.js';
import latency from '../../src/checks/http/latency.js';
import { collectHttp } from '../../src/collectors/http/index.js';
import type { CheckDefinition } from '../../src/core/check.js';
import { runCheck } from '../../src/core/engine.js';
import type { Facts, TargetFacts } from '../../src/core/facts.js';
import { emptyFacts } from '../support/fixtures.js';
import { requireService } from '../support/services.js';
import { appFacts, ROOT } from './support.js';

const ctx = { projectDir: ROOT, timeoutMs: 10_000 };
const quick = { concurrency: 8, durationMs: 800, maxRequests: 400 };
const probe = (key: string, opts: Record<string, unknown> = {}) =>
  collectHttp({ url: requireService(key), paths: ['/risks'], load: quick, ...opts }, ctx);

function factsOf(t: TargetFacts): Facts {
  const f = emptyFacts('.');
  f.sources.http = [{ ...t, target: t.target.replace(/:\d+$/, ':PORT') }];
  return f;
}
const statusOf = (check: CheckDefinition, t: TargetFacts) => runCheck(check, factsOf(t)).status;

/** STRISK_REGEN_FIXTURES=1 records the probe as the check's facts fixture. */
function record(id: string, name: string, t: TargetFacts) {
  if (process.env.STRISK_REGEN_FIXTURES)
    writeFileSync(
      join(ROOT, 'fixtures/checks', id, `${name}.facts.json`),
      `${JSON.stringify(factsOf(t), null, 1)}\n`,
    );
}

describe('http collector against the running FastAPI variants', () => {
  it('good: health, gzip, cache headers, percentiles from a bounded keep-alive load', async () => {
    const t = await probe('STRISK_TEST_HTTP_GOOD');
    expect(t.status).toBe('ok');
    const d = t.data!;
    expect(d.health).toMatchObject({ status: 200 });
    expect(d.endpoints[0]).toMatchObject({
      path: '/risks',
      status: 200,
      contentEncoding: 'gzip',
      cacheControl: 'public, max-age=60',
    });
    expect(d.endpoints[0]!.bodyBytes).toBeGreaterThan(1024);
    expect(d.endpoints[0]!.wireBytes).toBeLessThan(d.endpoints[0]!.bodyBytes);
    const l = d.load!;
    expect(l.requests).toBeLessThanOrEqual(quick.maxRequests);
    expect(l.connections).toBeLessThanOrEqual(quick.concurrency);
    expect(l.latencyMs!.p50).toBeLessThanOrEqual(l.latencyMs!.p95);
    expect(l.latencyMs!.p95).toBeLessThanOrEqual(l.latencyMs!.p99);
    expect(l.errors).toBe(0);
    expect(d.http2).toMatchObject({ supported: false });
    for (const [check, id] of [
      [health, 'http/health'],
      [compression, 'http/compression'],
      [cacheHeaders, 'http/cache-headers'],
      [latency, 'http/latency'],
      [errorRate, 'http/error-rate'],
    ] as const) {
      expect(statusOf(check, t)).toBe('pass');
      record(id, 'success', t);
    }
  });

  it('nogzip: large responses uncompressed, no cache headers', async () => {
    const t = await probe('STRISK_TEST_HTTP_NOGZIP');
    expect(t.data!.endpoints[0]).toMatchObject({ contentEncoding: null, cacheControl: null, etag: null });
    expect(statusOf(compression, t)).toBe('fail');
    expect(statusOf(cacheHeaders, t)).toBe('fail');
    record('http/compression', 'failure', t);
    record('http/cache-headers', 'failure', t);
  });

  it('nohealth: /health answers 404, and loading it is all errors', async () => {
    const t = await probe('STRISK_TEST_HTTP_NOHEALTH', { paths: ['/missing'] });
    expect(t.data!.health.status).toBe(404);
    expect(statusOf(health, t)).toBe('fail');
    expect(statusOf(errorRate, t)).toBe('fail');
    expect(t.data!.load!.errorsByKind.status4xx).toBe(t.data!.load!.requests);
    record('http/health', 'failure', t);
    record('http/error-rate', 'failure', t);
  });

  it('slow: the /slow endpoint fails the latency targets', async () => {
    const t = await probe('STRISK_TEST_HTTP_SLOW', { load: { ...quick, path: '/slow', durationMs: 1500 } });
    expect(t.data!.load!.latencyMs!.p50).toBeGreaterThanOrEqual(600);
    expect(statusOf(latency, t)).toBe('fail');
    record('http/latency', 'failure', t);
  });

  it('blocking: a time.sleep in an async route serialises the requests', async () => {
    const t = await probe('STRISK_TEST_HTTP_BLOCKING', { load: { ...quick, path: '/risks' } });
    // 20 ms of blocking per request on one event loop: throughput cannot exceed ~50 req/s.
    expect(t.data!.load!.throughputRps).toBeLessThan(60);
    expect(t.data!.load!.latencyMs!.p50).toBeGreaterThan(8 * 20 * 0.8);
  });

  it('h2: Hypercorn over TLS negotiates h2 through ALPN (with the CA, or insecure)', async () => {
    const ca = requireService('STRISK_TEST_HTTP_H2_CA');
    const t = await probe('STRISK_TEST_HTTP_H2', { caFile: ca });
    expect(t.status).toBe('ok');
    expect(t.data!.tls).toMatchObject({ alpn: 'h2', authorized: true });
    expect(t.data!.http2).toMatchObject({ supported: true, protocol: 'h2', via: 'alpn' });
    const insecure = await probe('STRISK_TEST_HTTP_H2', { insecure: true });
    expect(insecure.data!.tls).toMatchObject({ alpn: 'h2', authorized: false, insecure: true });
    const facts = await appFacts(join(ROOT, 'fixtures/app/good'), { http: [t] });
    expect(runCheck(http2, facts).status).toBe('pass');
  });

  it('h2: uvicorn does not serve HTTP/2, and app/http2 fails on the live evidence', async () => {
    const t = await probe('STRISK_TEST_HTTP_EXAMPLE', { paths: ['/health'] });
    expect(t.status).toBe('ok');
    expect(t.data!.http2).toMatchObject({ supported: false, via: 'none' });
    const facts = await appFacts(join(ROOT, 'examples/st-risk-platform'), { http: [t] });
    expect(runCheck(http2, facts).status).toBe('fail');
  });

  it('a self-signed certificate without trust is a TLS error naming the option', async () => {
    const t = await probe('STRISK_TEST_HTTP_H2');
    expect(t.status).toBe('error');
    expect(t.message).toMatch(/TLS: .*(self.signed|SELF_SIGNED).*insecure: true/i);
    expect(runCheck(health, factsOf(t)).status).toBe('error');
  });

  it('an unreachable URL is an unreachable target', async () => {
    const t = await probe('STRISK_TEST_HTTP_DOWN');
    expect(t.status).toBe('unreachable');
    expect(t.message).toContain('ECONNREFUSED');
  });

  it('a server that never answers is a timeout', async () => {
    const started = Date.now();
    const t = await probe('STRISK_TEST_HTTP_HANG', { requestTimeoutMs: 700 });
    expect(t.status).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
