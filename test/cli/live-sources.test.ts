import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../src/checks/index.js';
import type { Report } from '../../src/core/report.js';
import { requireService } from '../support/services.js';

// The issues' "done when": `strisk audit --<source> URL` against the test servers gives a real
// verdict for each check of the source, or a skip that says what the server lacks.
const ROOT = resolve(import.meta.dirname, '../..');

function audit(args: string[], config = '') {
  const dir = mkdtempSync(join(tmpdir(), 'strisk-live-'));
  if (config) writeFileSync(join(dir, 'strisk.config.yaml'), config);
  const r = spawnSync(
    process.execPath,
    [join(ROOT, 'bin/strisk.js'), 'audit', dir, ...args, '--format', 'json'],
    {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '' },
      timeout: 90_000,
    },
  );
  expect(r.stderr).toBe('');
  return { code: r.status, report: JSON.parse(r.stdout) as Report };
}

function verdicts(report: Report, source: string): Record<string, string> {
  const ids = CHECKS.filter((c) => c.id.startsWith(`${source}/`)).map((c) => c.id);
  const out: Record<string, string> = {};
  for (const id of ids) {
    const r = report.results.find((x) => x.id === id);
    expect(r, id).toBeDefined();
    expect(r!.status, `${id}: ${r!.message}`).not.toBe('error');
    if (r!.status === 'skip') expect(r!.message, id).toBeTruthy();
    else expect(r!.evidence.length, id).toBeGreaterThan(0);
    out[id] = r!.status;
  }
  return out;
}

describe('strisk audit against the live test servers', () => {
  it('ClickHouse: a verdict for every check, or a skip naming what 18.16 lacks', () => {
    const { code, report } = audit([
      '--clickhouse',
      requireService('STRISK_TEST_CLICKHOUSE_AUDITOR'),
      '--only',
      'clickhouse',
    ]);
    expect(code).toBe(1);
    const v = verdicts(report, 'clickhouse');
    expect(Object.keys(v)).toHaveLength(19);
    expect(v['clickhouse/table-engine']).toBe('fail');
    expect(v['clickhouse/parts-per-partition']).toBe('fail');
    expect(v['clickhouse/select-star']).toBe('fail');
    expect(v['clickhouse/prewhere']).toBe('pass');
    const codecs = report.results.find((r) => r.id === 'clickhouse/column-codecs')!;
    expect(codecs.status).toBe('skip');
  });

  it('PostgreSQL and PgBouncer: a verdict for every check on the bad cluster', () => {
    const { code, report } = audit(
      [
        '--postgres',
        requireService('STRISK_TEST_PG_BAD'),
        '--pgbouncer',
        requireService('STRISK_TEST_PGBOUNCER'),
        '--only',
        'postgres',
        '--only',
        'pgbouncer',
      ],
      'machine:\n  memory: 1GB\n',
    );
    expect(code).toBe(1);
    const v = { ...verdicts(report, 'postgres'), ...verdicts(report, 'pgbouncer') };
    expect(v).toMatchObject({
      'postgres/wal-buffers': 'fail',
      'postgres/shared-buffers': 'fail',
      'postgres/missing-index': 'fail',
      'postgres/vacuum-age': 'fail',
      'postgres/wal-archiving': 'fail',
      'postgres/query-time': 'skip',
      'pgbouncer/pool-size': 'fail',
    });
  });

  it('Redis: a verdict for every check on the good and the bad server', () => {
    const bad = audit(['--redis', requireService('STRISK_TEST_REDIS_BAD'), '--only', 'redis']);
    expect(bad.code).toBe(1);
    expect(Object.values(verdicts(bad.report, 'redis'))).toEqual(['fail', 'fail', 'fail', 'fail', 'fail']);
    const good = audit(['--redis', requireService('STRISK_TEST_REDIS_GOOD'), '--only', 'redis']);
    const v = verdicts(good.report, 'redis');
    expect(v['redis/aof']).toBe('pass');
    expect(v['redis/key-ttl']).toBe('pass');
    expect(v['redis/hit-ratio']).toBe('pass');
  });
});
