import { describe, expect, it } from 'vitest';
import containerLimits from '../../src/checks/docker/container-limits.js';
import cpuUsage from '../../src/checks/docker/cpu-usage.js';
import imageSize from '../../src/checks/docker/image-size.js';
import memoryUsage from '../../src/checks/docker/memory-usage.js';
import { DockerFactsSchema } from '../../src/collectors/docker/schema.js';
import { runCheck } from '../../src/core/engine.js';
import { factsOf, fixturesOf } from '../support/fixtures.js';

// The docker checks on their recorded fixtures (facts saved from the test engine): each
// fixture's name says the status it must get. The shared fixtures test does the same once the
// checks are in the registry; this keeps them honest before, and checks the facts' schema.
describe.each([imageSize, containerLimits, cpuUsage, memoryUsage].map((c) => [c.id, c] as const))(
  '%s',
  (id, check) => {
    const fixtures = fixturesOf(id);
    it('has passing and failing fixtures', () => {
      expect(fixtures.map((f) => f.expected)).toEqual(expect.arrayContaining(['pass', 'fail']));
    });
    it.each(fixtures.map((f) => [f.name, f] as const))('%s', async (_name, fixture) => {
      const facts = await factsOf(fixture);
      for (const t of facts.sources.docker ?? []) if (t.status === 'ok') DockerFactsSchema.parse(t.data);
      const result = runCheck(check, facts);
      expect({ status: result.status, message: result.message }).toMatchObject({ status: fixture.expected });
      if (result.status === 'fail' || result.status === 'warn') {
        expect(result.evidence.length).toBeGreaterThan(0);
        expect(result.remediation?.summary).toBeTruthy();
      }
    });
  },
);
