import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../src/checks/index.js';
import { runCheck } from '../../src/core/engine.js';
import {
  expectedWithUnit,
  formatBytes,
  formatDuration,
  formatNumber,
  formatPercent,
  formatQuantity,
  formatRatio,
} from '../../src/core/units.js';
import { evidenceSummary } from '../../src/reporters/escape.js';
import { emptyFacts } from '../support/fixtures.js';

describe('one number formatter', () => {
  it('bytes in binary units, durations from ms to hours, percentages and ratios alike', () => {
    expect(formatBytes(512 * 1024 ** 2)).toBe('512 MiB');
    expect(formatBytes(1.5 * 1024 ** 3)).toBe('1.5 GiB');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatDuration(0.42)).toBe('0.4 ms');
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(4200)).toBe('4.2 s');
    expect(formatDuration(200_000)).toBe('3 min 20 s');
    expect(formatDuration(7_500_000)).toBe('2 h 5 min');
    expect(formatPercent(25.93)).toBe('25.9%');
    expect(formatRatio(0.0099)).toBe('0.99%');
    expect(formatRatio(0.8)).toBe('80%');
    expect(formatNumber(12345.678)).toBe('12,345.68');
  });

  it('groups whole numbers by hand exactly as en-US Intl does', () => {
    const intl = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
    const whole = [0, -0, 1, -1, 999, 1000, -1000, 123456, 1234567, -987654321, 2 ** 53 - 1, -(2 ** 53 - 1)];
    // Every digit count, both signs, from a fixed sequence (no randomness in the suite).
    for (let d = 1; d <= 15; d++) for (const sign of [1, -1]) whole.push(sign * (10 ** d - 7));
    for (const n of whole) expect(formatNumber(n), String(n)).toBe(intl.format(n));
    // Beyond the safe integers and fractions, Intl still formats them.
    expect(formatNumber(2 ** 60)).toBe(intl.format(2 ** 60));
    expect(formatNumber(-0.5)).toBe('-0.5');
  });

  it('a value by its unit, and a bare expected bound gets the unit too', () => {
    expect(formatQuantity(1120013, 'bytes')).toBe('1.07 MiB');
    expect(formatQuantity(3372.288, 's')).toBe('56 min 12 s');
    expect(formatQuantity(53, 'ms mean')).toBe('53 ms mean');
    expect(formatQuantity(25, '% of SELECT queries')).toBe('25% of SELECT queries');
    expect(formatQuantity(40, 'connections')).toBe('40 connections');
    expect(expectedWithUnit('≤ 5', '%')).toBe('≤ 5%');
    expect(expectedWithUnit('< 500', 'ms')).toBe('< 500 ms');
    expect(expectedWithUnit('every key with a TTL', 's')).toBe('every key with a TTL');
  });

  it('the papercuts of the issue read the same in every format', () => {
    // `25.9 % … expected ≤ 5` and `0.0099 ratio expected > 80.0%`
    expect(evidenceSummary({ subject: 'q', observed: 25.9, unit: '%', expected: '≤ 5' })).toBe(
      'q: observed 25.9%: expected ≤ 5%',
    );
    expect(evidenceSummary({ subject: 'r', observed: 0.0099, unit: 'ratio', expected: '> 80.0%' })).toBe(
      'r: observed 0.99%: expected > 80.0%',
    );
  });
});

it('a result that could not be judged keeps the neutral title, not the failure title', () => {
  const def = CHECKS.find((c) => c.id === 'redis/aof')!;
  const facts = emptyFacts();
  facts.sources.redis = [
    { target: 'redis://127.0.0.1:1', status: 'unreachable', message: 'ECONNREFUSED', durationMs: 1 },
  ];
  const r = runCheck(def, facts);
  expect(r.status).toBe('error');
  expect(r.title).toBe(def.title);
  expect(r.title).not.toBe(def.failureTitle);
});
