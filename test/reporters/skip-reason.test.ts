import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CHECKS } from '../../src/checks/index.js';
import { type CheckDefinition, defineCheck } from '../../src/core/check.js';
import { runChecks } from '../../src/core/engine.js';
import { FactsSchema } from '../../src/core/facts.js';
import { buildReport } from '../../src/core/gate.js';
import { terminalReport } from '../../src/reporters/terminal.js';
import { FIXTURES } from '../support/fixtures.js';

// Skips say why as data: reporters group unconfigured sources by skipReason, not by message text.
const facts = FactsSchema.parse(
  JSON.parse(readFileSync(join(FIXTURES, 'redis/aof/success.facts.json'), 'utf8')),
);

/** A check that skips with a message that reads like the engine's, but for another reason. */
const lookalike = defineCheck({
  id: 'acme/lookalike',
  title: 'Looks like an unconfigured source',
  failureTitle: 'x',
  description: 'x',
  seedRef: 'custom',
  severity: 'low',
  kind: 'auto',
  requires: ['redis'],
  options: z.object({}),
  run: () => ({ status: 'skip', message: 'source postgres is not configured', evidence: [] }),
}) as CheckDefinition;

describe('skip reasons', () => {
  const defs = [...CHECKS.filter((c) => c.id.startsWith('postgres/') || c.id === 'redis/aof'), lookalike];
  const results = runChecks(defs, facts);

  it('the engine names the missing source; a check that gives no reason had nothing to judge', () => {
    const pg = results.filter((r) => r.id.startsWith('postgres/'));
    expect(pg.length).toBeGreaterThan(0);
    for (const r of pg) expect(r.skipReason).toEqual({ kind: 'source-not-configured', source: 'postgres' });
    expect(results.find((r) => r.id === 'acme/lookalike')?.skipReason).toEqual({ kind: 'not-applicable' });
    expect(results.find((r) => r.id === 'redis/aof')).toMatchObject({ status: 'pass' });
    expect(results.find((r) => r.id === 'redis/aof')?.skipReason).toBeUndefined();
  });

  it('the terminal folds unconfigured sources into one line from the reason, not the message', () => {
    const report = buildReport(facts, results, { failOn: 'fail' }, 0);
    const text = terminalReport(report, { color: false });
    const pg = results.filter((r) => r.id.startsWith('postgres/')).length;
    expect(text).toContain(`not run, no source given: postgres (${pg})`);
    expect(text).toContain('acme/lookalike');
    expect(text).not.toContain('postgres/wal-buffers');
  });
});
