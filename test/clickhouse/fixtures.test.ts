// The ClickHouse checks on their recorded fixtures (fixtures/checks/clickhouse/<noun>/), which were
// collected from the 18.16 test server and edited where 18.16 cannot produce a case (codecs, TTL,
// server settings). Also run by test/checks/fixtures.test.ts once the checks are in the registry.
import { describe, expect, it } from 'vitest';
import { CLICKHOUSE_CHECKS } from '../../src/checks/clickhouse/index.js';
import { runCheck } from '../../src/core/engine.js';
import { factsOf, fixturesOf } from '../support/fixtures.js';

describe.each(CLICKHOUSE_CHECKS.map((c) => [c.id, c] as const))('%s', (id, check) => {
  const fixtures = fixturesOf(id);
  it('has a passing and a failing fixture', () => {
    expect(fixtures.map((f) => f.expected)).toContain('pass');
    expect(fixtures.some((f) => f.expected === 'fail' || f.expected === 'warn')).toBe(true);
  });
  it.each(fixtures.map((f) => [f.name, f] as const))('%s', async (_name, fixture) => {
    const result = runCheck(check, await factsOf(fixture));
    expect({ status: result.status, message: result.message }).toMatchObject({ status: fixture.expected });
    if (result.status === 'fail' || result.status === 'warn') {
      expect(result.evidence.length).toBeGreaterThan(0);
      expect(result.remediation?.summary).toBeTruthy();
    }
  });
});
