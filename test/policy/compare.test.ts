import { describe, expect, it } from 'vitest';
import type { Metric } from '../../src/core/check.js';
import type { CheckResult } from '../../src/core/report.js';
import { compareMetrics, compareRuns, compareStatus } from '../../src/policy/compare.js';
import { applyWaivers } from '../../src/policy/waivers.js';

const r = (id: string, status: CheckResult['status'], metrics?: Metric[]) => ({ id, status, metrics });

describe('status comparison', () => {
  it.each([
    ['pass', 'warn', true],
    ['warn', 'fail', true],
    ['fail', 'warn', false],
    ['pass', 'error', true], // an unknown is not a pass
    ['fail', 'error', true],
    ['warn', 'skip', true],
    ['skip', 'fail', true], // not judged before: held to pass
    ['error', 'warn', true],
    [undefined, 'fail', true], // a check new since the baseline
    ['skip', 'error', undefined],
    ['pass', 'pass', undefined],
    ['error', 'pass', undefined],
  ] as const)('%s → %s: worse %s', (from, to, worse) => {
    const c = compareStatus(from ? r('x', from) : undefined, r('x', to));
    expect(c?.worse).toBe(worse);
  });

  it('leaves info checks out', () => {
    expect(compareRuns([r('a', 'pass')], [{ ...r('a', 'fail'), kind: 'info' }]).regressions).toEqual([]);
  });
});

describe('metric comparison', () => {
  const m = (value: number, better: 'lower' | 'higher' = 'lower'): Metric[] => [
    { name: 'p95', value, unit: 'ms', better, subject: 'api' },
  ];
  it('flags the wrong direction beyond the tolerance only', () => {
    expect(compareMetrics('http/latency', m(100), m(109)).worse).toEqual([]);
    expect(compareMetrics('http/latency', m(100), m(111)).worse).toHaveLength(1);
    expect(compareMetrics('http/latency', m(100), m(50)).better).toHaveLength(1);
    expect(compareMetrics('redis/hit-ratio', m(0.9, 'higher'), m(0.7, 'higher')).worse).toHaveLength(1);
    expect(compareMetrics('http/latency', m(100), m(150), { 'http/latency': 0.6 }).worse).toEqual([]);
    expect(compareMetrics('x', m(0), m(0.01), { default: { relative: 0.1, absolute: 0.05 } }).worse).toEqual(
      [],
    );
    expect(
      compareMetrics('x', m(0), m(0.1), { default: { relative: 0.1, absolute: 0.05 } }).worse,
    ).toHaveLength(1);
  });
  it('ignores metrics of other subjects', () => {
    const other: Metric[] = [{ name: 'p95', value: 999, unit: 'ms', better: 'lower', subject: 'db' }];
    expect(compareMetrics('http/latency', m(1), other).worse).toEqual([]);
  });
});

describe('waivers', () => {
  const result = (status: CheckResult['status'], subjects: string[]): CheckResult => ({
    id: 'compose/healthcheck',
    seedRef: '3.2',
    section: 'Docker',
    kind: 'auto',
    title: 't',
    status,
    severity: 'medium',
    evidence: subjects.map((subject) => ({ subject, status: 'fail' as const })),
    durationMs: 0,
  });
  const w = (expires: string, target?: string) => ({
    check: 'compose/healthcheck',
    target,
    reason: 'r',
    owner: 'o',
    expires,
  });
  const NOW = '2026-06-01T10:00:00Z';

  it('states follow the run timestamp: active, expiring within 14 days, expired after the day', () => {
    const states = applyWaivers(
      [],
      [w('2026-07-01'), w('2026-06-15'), w('2026-06-01'), w('2026-05-31')],
      NOW,
    );
    expect(states.waivers.map((x) => [x.state, x.daysLeft])).toEqual([
      ['active', 30],
      ['expiring', 14],
      ['expiring', 0],
      ['expired', -1],
    ]);
  });

  it('covers a result only when every failing target is waived, never an error', () => {
    const two = result('fail', ['service api', 'service db']);
    expect(applyWaivers([two], [w('2027-01-01', 'api')], NOW).results[0]!.waiver).toBeUndefined();
    expect(
      applyWaivers([two], [w('2027-01-01', 'api'), w('2027-01-01', 'db')], NOW).results[0]!.waiver,
    ).toBeDefined();
    expect(applyWaivers([two], [w('2027-01-01', 'service *')], NOW).results[0]!.waiver).toBeDefined();
    expect(applyWaivers([result('error', ['x'])], [w('2027-01-01')], NOW).results[0]!.waiver).toBeUndefined();
    const out = applyWaivers([two], [w('2027-01-01', 'api'), w('2026-01-01', 'db')], NOW);
    expect(out.results[0]!.waiver?.state).toBe('expired');
  });
});
