import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../src/checks/index.js';
import { runCheck, runChecks } from '../../src/core/engine.js';
import { freezeFacts } from '../../src/core/runner.js';
import { factsOf, fixturesOf } from '../support/fixtures.js';

// One table-driven test for every check: each fixture's name says the status it must get.
describe.each(CHECKS.map((c) => [c.id, c] as const))('%s', (_id, check) => {
  const fixtures = fixturesOf(check.id);
  it.each(fixtures.map((f) => [f.name, f] as const))('%s', async (_name, fixture) => {
    // Frozen, as an audit hands them over: a check that writes to the facts is an error.
    const facts = freezeFacts(await factsOf(fixture));
    // A check that judges results (report/before-after) judges those of a whole run.
    const result = check.readsResults
      ? runChecks(CHECKS, facts).find((r) => r.id === check.id)!
      : runCheck(check, facts);
    expect({ status: result.status, message: result.message }).toMatchObject({ status: fixture.expected });
    if (result.status === 'fail' || result.status === 'warn') {
      expect(result.evidence.length).toBeGreaterThan(0);
      expect(result.remediation?.summary).toBeTruthy();
    }
  });
});
