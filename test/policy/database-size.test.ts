import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../src/checks/index.js';
import beforeAfter from '../../src/checks/report/before-after.js';
import type { ClickHouseFacts } from '../../src/collectors/clickhouse/schema.js';
import type { PostgresFacts } from '../../src/collectors/postgres/schema.js';
import type { RedisFacts } from '../../src/collectors/redis/schema.js';
import { runCheck } from '../../src/core/engine.js';
import { type Facts, FactsSchema, type TargetFacts } from '../../src/core/facts.js';
import { REPORT_SCHEMA_VERSION } from '../../src/core/report.js';
import { type Baseline, baselineTarget } from '../../src/policy/baseline.js';
import { compareRuns } from '../../src/policy/compare.js';
import { FIXTURES } from '../support/fixtures.js';

// Checklist 6.3: database sizes are measured by the checks that read them and compared with the
// baseline like any measured value; growth beyond the tolerance is worse, a shrink is not.
const facts = (path: string): Facts =>
  FactsSchema.parse(JSON.parse(readFileSync(join(FIXTURES, path), 'utf8')));

const SOURCES = [
  {
    check: 'postgres/missing-index',
    fixture: 'postgres/missing-index/success.facts.json',
    name: 'database size',
    scale: (f: Facts, k: number) => {
      for (const t of f.sources.postgres ?? []) (t.data as PostgresFacts).database.sizeBytes *= k;
    },
  },
  {
    check: 'clickhouse/row-size',
    fixture: 'clickhouse/row-size/success.facts.json',
    name: 'data size',
    scale: (f: Facts, k: number) => {
      for (const t of f.sources.clickhouse ?? [])
        for (const x of (t.data as ClickHouseFacts).tables ?? []) if (x.parts) x.parts.bytesOnDisk *= k;
    },
  },
  {
    check: 'redis/maxmemory',
    fixture: 'redis/maxmemory/success.facts.json',
    name: 'used memory',
    scale: (f: Facts, k: number) => {
      for (const t of f.sources.redis ?? [])
        for (const n of (t.data as RedisFacts).nodes) n.memory.usedBytes = (n.memory.usedBytes ?? 0) * k;
    },
  },
] as const;

describe.each(SOURCES)('$check $name', ({ check, fixture, name, scale }) => {
  const def = CHECKS.find((c) => c.id === check)!;

  /** The run now, against a baseline whose sizes were `now / growth`. */
  function run(growth: number, tolerance?: Record<string, number>) {
    const then = facts(fixture);
    scale(then, 1 / growth);
    const before = runCheck(def, then);
    const now = facts(fixture);
    const after = runCheck(def, now);
    const baseline: Baseline = {
      schemaVersion: REPORT_SCHEMA_VERSION,
      tool: { name: 'strisk', version: '0.1.0' },
      startedAt: '2026-01-01T00:00:00.000Z',
      score: null,
      results: [{ id: before.id, status: before.status, metrics: before.metrics }],
      file: 'baseline.json',
    };
    now.sources.baseline = [baselineTarget(baseline) as TargetFacts];
    const options = tolerance ? { [beforeAfter.id]: { tolerance } } : {};
    return {
      before,
      after,
      checked: runCheck(beforeAfter, now, { options, results: [after] }),
      compared: compareRuns([before], [after], tolerance),
    };
  }

  it('is measured in bytes, lower is better, per target', () => {
    const m = runCheck(def, facts(fixture)).metrics?.filter((x) => x.name === name) ?? [];
    expect(m.length).toBeGreaterThan(0);
    for (const x of m) {
      expect(x).toMatchObject({ unit: 'bytes', better: 'lower' });
      expect(x.subject).toBeTruthy();
      expect(x.value).toBeGreaterThan(0);
    }
  });

  it('fails and is a regression when it grew beyond the tolerance', () => {
    const { checked, compared } = run(1.5);
    expect(checked.status).toBe('fail');
    expect(checked.evidence.filter((e) => e.status === 'fail').map((e) => e.subject)).toEqual([check]);
    expect(checked.evidence.find((e) => e.status === 'fail')?.note).toMatch(name);
    const sizes = compared.regressions.filter((c) => c.kind === 'metric');
    expect(sizes.length).toBeGreaterThan(0);
    expect(sizes.every((c) => c.id === check && c.metric?.name === name && c.metric.change > 0)).toBe(true);
  });

  it('passes within the tolerance (default 10%, or the check’s own)', () => {
    const near = run(1.05);
    expect(near.checked.status).toBe('pass');
    expect(near.compared.regressions).toEqual([]);
    const loose = run(1.5, { default: 0.1, [check]: 0.6 });
    expect(loose.checked.status).toBe('pass');
    expect(loose.compared.regressions).toEqual([]);
  });

  it('counts a shrink as an improvement, never a regression', () => {
    const { checked, compared } = run(0.5);
    expect(checked.status).toBe('pass');
    expect(compared.regressions).toEqual([]);
    expect(compared.improvements.filter((c) => c.metric?.name === name).length).toBeGreaterThan(0);
  });
});
