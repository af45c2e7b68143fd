import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../src/checks/index.js';
import type { Report } from '../../src/core/report.js';
import { requireService } from '../support/services.js';

const ROOT = resolve(import.meta.dirname, '../..');

describe('strisk audit examples/st-risk-platform --http (the CLI against the running example)', () => {
  it('gives a real verdict with evidence for every app/* and http/* check', () => {
    const url = requireService('STRISK_TEST_HTTP_EXAMPLE');
    const r = spawnSync(
      process.execPath,
      [join(ROOT, 'bin/strisk.js'), 'audit', join(ROOT, 'examples/st-risk-platform'), '--http', url].concat([
        '--only',
        'app',
        '--only',
        'http',
        '--format',
        'json',
      ]),
      { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' }, timeout: 90_000 },
    );
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout) as Report;
    const ids = CHECKS.map((c) => c.id).filter((id) => /^(app|http)\//.test(id));
    expect(ids.length).toBe(22);
    for (const id of ids) {
      const result = report.results.find((x) => x.id === id);
      expect(result, id).toBeDefined();
      expect(['pass', 'fail', 'warn'], `${id}: ${result!.status} ${result!.message}`).toContain(
        result!.status,
      );
    }
    const status = (id: string) => report.results.find((x) => x.id === id)?.status;
    // What the example is known to get right and wrong, live and in its source.
    expect(status('http/health')).toBe('pass');
    expect(status('http/compression')).toBe('pass'); // GZipMiddleware, /risk-levels is ~7 KB
    expect(status('http/cache-headers')).toBe('fail'); // no Cache-Control anywhere
    expect(status('app/blocking-call-in-async')).toBe('fail');
    expect(status('app/http2')).toBe('fail'); // uvicorn, and the live probe negotiated HTTP/1.1
    const blocking = report.results.find((x) => x.id === 'app/blocking-call-in-async')!;
    expect(blocking.evidence.map((e) => `${e.file}:${e.line}`)).toContain('app/main.py:50');
  });
});
