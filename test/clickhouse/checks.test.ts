// Every ClickHouse check against facts collected from the real 18.16 test server
// (scripts/test-services.sh start clickhouse), as the read-only `auditor` user.
import { beforeAll, describe, expect, it } from 'vitest';
import { CLICKHOUSE_CHECKS } from '../../src/checks/clickhouse/index.js';
import type { ClickHouseFacts } from '../../src/collectors/clickhouse/index.js';
import { collect } from '../../src/collectors/clickhouse/index.js';
import type { TargetSpec } from '../../src/collectors/types.js';
import { runCheck } from '../../src/core/engine.js';
import type { Facts, TargetFacts } from '../../src/core/facts.js';
import { liveFacts } from '../support/fixtures.js';
import { requireService } from '../support/services.js';

const check = (id: string) => CLICKHOUSE_CHECKS.find((c) => c.id === `clickhouse/${id}`)!;

const factsOf = (...targets: TargetFacts<ClickHouseFacts>[]): Facts => liveFacts({ clickhouse: targets });

async function audit(spec: Partial<TargetSpec> & { url: string }): Promise<Facts> {
  const t = await collect(spec, { timeoutMs: 10_000, projectDir: '.' });
  expect(t.status, t.message).toBe('ok');
  return factsOf(t);
}

const verdict = (facts: Facts, id: string, options?: Record<string, unknown>) =>
  runCheck(check(id), facts, { options: options ? { [`clickhouse/${id}`]: options } : {} });

let all: Facts;
let good: Facts;

beforeAll(async () => {
  const url = requireService('STRISK_TEST_CLICKHOUSE_AUDITOR');
  all = await audit({ url });
  good = await audit({ url, databases: ['ok'] });
});

describe('ClickHouse checks on the 18.16 test server', () => {
  it.each([
    ['table-engine', undefined, 'fail'],
    ['order-by', undefined, 'fail'],
    ['partition-by-time', undefined, 'skip'],
    ['partition-by-time', { minRows: 0 }, 'fail'],
    ['row-size', undefined, 'fail'],
    ['parts-per-partition', undefined, 'fail'],
    ['select-star', undefined, 'fail'],
    ['hot-columns', undefined, 'fail'],
    ['prewhere', undefined, 'pass'],
    ['full-scans', undefined, 'pass'],
    ['full-scans', { minRows: 50_000 }, 'warn'],
    ['sampling-key', undefined, 'skip'],
    ['sampling-key', { minRows: 50_000 }, 'fail'],
    ['column-codecs', undefined, 'skip'],
    ['pre-aggregation', undefined, 'pass'],
    ['ttl-archive', undefined, 'skip'],
    ['max-concurrent-queries', undefined, 'skip'],
    ['max-concurrent-queries', { declared: 150 }, 'pass'],
    ['max-concurrent-queries', { declared: 0 }, 'fail'],
    ['max-memory-usage', undefined, 'skip'],
    ['max-insert-threads', undefined, 'skip'],
    ['readonly-replicas', undefined, 'skip'],
    ['query-time', undefined, 'pass'],
    ['slow-queries', undefined, 'warn'],
  ] as const)('%s %j → %s', (id, options, expected) => {
    const r = verdict(all, id, options);
    expect({ status: r.status, message: r.message }).toMatchObject({ status: expected });
    if (r.status === 'fail' || r.status === 'warn') expect(r.remediation?.summary).toBeTruthy();
  });

  it('names the bad tables in the evidence', () => {
    const subjects = (id: string, o?: Record<string, unknown>) =>
      verdict(all, id, o)
        .evidence.filter((e) => e.status === 'fail' || e.status === 'warn')
        .map((e) => e.subject);
    expect(subjects('table-engine').sort()).toEqual([
      'clickhouse/app.events_bad',
      'clickhouse/app.logs',
      'clickhouse/app.sessions_mem',
    ]);
    expect(subjects('order-by')).toEqual(['clickhouse/app.unordered']);
    expect(subjects('partition-by-time', { minRows: 0 }).sort()).toEqual([
      'clickhouse/app.status_by_id',
      'clickhouse/app.unordered',
    ]);
    expect(subjects('row-size')).toEqual(['clickhouse/app.wide_rows']);
    expect(subjects('parts-per-partition')).toEqual(['clickhouse/app.many_parts']);
    expect(subjects('hot-columns').sort()).toEqual([
      'clickhouse/app.status_by_id',
      'clickhouse/app.unordered',
    ]);
    expect(subjects('full-scans', { minRows: 50_000 })).toContain('clickhouse/app.unordered');
    expect(subjects('sampling-key', { minRows: 50_000 })).toEqual(['clickhouse/app.unordered']);
    const parts = verdict(all, 'parts-per-partition').evidence[0]!;
    expect(parts.observed).toBeGreaterThanOrEqual(300);
  });

  it('passes every table check on a database of good tables only', () => {
    for (const [id, o] of [
      ['table-engine'],
      ['order-by'],
      ['partition-by-time', { minRows: 0 }],
      ['row-size'],
      ['parts-per-partition'],
      ['hot-columns'],
      ['sampling-key', { minRows: 0 }],
    ] as const) {
      expect(verdict(good, id, o).status, id).toBe('pass');
    }
  });

  it('judges max_memory_usage against the RAM given on the target', async () => {
    const url = requireService('STRISK_TEST_CLICKHOUSE_AUDITOR');
    const small = await audit({ url, memory: '2GB' });
    const large = await audit({ url, memory: '8GB' });
    expect(verdict(small, 'max-memory-usage').status).toBe('fail');
    expect(verdict(large, 'max-memory-usage').status).toBe('pass');
    expect(verdict(large, 'max-memory-usage').evidence[0]!.note).toMatch(/config: memory 8GB/);
  });

  it('requires replicas to be read-only', async () => {
    const replica = await audit({ url: requireService('STRISK_TEST_CLICKHOUSE_REPLICA'), role: 'replica' });
    const writable = await audit({ url: requireService('STRISK_TEST_CLICKHOUSE'), role: 'replica' });
    expect(verdict(replica, 'readonly-replicas').status).toBe('pass');
    expect(verdict(writable, 'readonly-replicas').status).toBe('fail');
  });
});
