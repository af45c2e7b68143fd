import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../src/checks/index.js';
import { runCheck } from '../../src/core/engine.js';
import { factsOf, fixturesOf } from '../support/fixtures.js';

// Meta-test: not only each check on its own fixtures, but every app/* check on every app fixture
// (all of them are FastAPI projects or their facts): a warn or fail always says where.
const APP_CHECKS = CHECKS.filter((c) => c.id.startsWith('app/'));
const fixtures = APP_CHECKS.flatMap((c) => fixturesOf(c.id));

describe('every app/* warn or fail carries evidence', () => {
  it('has app fixtures to run on', () => {
    expect(fixtures.length).toBeGreaterThan(APP_CHECKS.length);
  });
  it.each(fixtures.map((f) => [`${f.id}/${f.name}`, f] as const))('on %s', async (_n, fixture) => {
    const facts = await factsOf(fixture);
    for (const check of APP_CHECKS) {
      const result = runCheck(check, facts);
      if (result.status !== 'fail' && result.status !== 'warn') continue;
      expect(result.evidence.length, `${check.id} ${result.status}: ${result.message}`).toBeGreaterThan(0);
      expect(
        result.evidence.some((e) => e.status === result.status),
        `${check.id} ${result.status} with no ${result.status} evidence item`,
      ).toBe(true);
    }
  });
});
