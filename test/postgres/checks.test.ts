import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import poolSaturation from '../../src/checks/pgbouncer/pool-saturation.js';
import poolSize from '../../src/checks/pgbouncer/pool-size.js';
import connectionHeadroom from '../../src/checks/postgres/connection-headroom.js';
import missingIndex from '../../src/checks/postgres/missing-index.js';
import queryTime from '../../src/checks/postgres/query-time.js';
import sharedBuffers from '../../src/checks/postgres/shared-buffers.js';
import vacuumAge from '../../src/checks/postgres/vacuum-age.js';
import walArchiving from '../../src/checks/postgres/wal-archiving.js';
import walBuffers from '../../src/checks/postgres/wal-buffers.js';
import { collect } from '../../src/collectors/postgres/index.js';
import type { CheckDefinition } from '../../src/core/check.js';
import { runCheck } from '../../src/core/engine.js';
import { FactsSchema, type TargetFacts } from '../../src/core/facts.js';
import { liveFacts } from '../support/fixtures.js';
import { requireService } from '../support/services.js';

const CHECKS = [
  connectionHeadroom,
  missingIndex,
  queryTime,
  sharedBuffers,
  vacuumAge,
  walArchiving,
  walBuffers,
  poolSaturation,
  poolSize,
] as unknown as CheckDefinition[];

const FIXTURES = resolve(import.meta.dirname, '../../fixtures/checks');
const EXPECTED: Record<string, string> = {
  success: 'pass',
  failure: 'fail',
  warning: 'warn',
  skip: 'skip',
  error: 'error',
};

describe('fixtures', () => {
  for (const def of CHECKS) {
    const dir = resolve(FIXTURES, def.id);
    const files = readdirSync(dir).filter((f) => f.endsWith('.facts.json'));
    it(`${def.id} has a passing and a failing fixture`, () => {
      expect(files.some((f) => f.startsWith('success'))).toBe(true);
      expect(files.some((f) => f.startsWith('failure'))).toBe(true);
    });
    for (const file of files) {
      it(`${def.id} ${file}`, () => {
        const facts = FactsSchema.parse(JSON.parse(readFileSync(resolve(dir, file), 'utf8')));
        const result = runCheck(def, facts);
        expect(result.status, result.message).toBe(EXPECTED[file.split(/[-.]/)[0]!]);
        expect(result.evidence.length).toBeGreaterThan(0);
      });
    }
  }
});

describe('verdicts against the real servers', () => {
  const ctx = { timeoutMs: 5000, projectDir: '.' };
  let good: TargetFacts;
  let bad: TargetFacts;
  beforeAll(async () => {
    [good, bad] = await Promise.all([
      collect({ url: requireService('STRISK_TEST_PG_GOOD'), memory: '1GB' }, ctx),
      collect({ url: requireService('STRISK_TEST_PG_BAD'), memory: '1GB' }, ctx),
    ]);
  });

  const expectations: [CheckDefinition, string, string][] = [
    [walBuffers as unknown as CheckDefinition, 'pass', 'fail'],
    [sharedBuffers as unknown as CheckDefinition, 'pass', 'fail'],
    [missingIndex as unknown as CheckDefinition, 'pass', 'fail'],
    [vacuumAge as unknown as CheckDefinition, 'pass', 'fail'],
    [queryTime as unknown as CheckDefinition, 'pass', 'skip'],
    [walArchiving as unknown as CheckDefinition, 'pass', 'fail'],
    [connectionHeadroom as unknown as CheckDefinition, 'pass', 'fail'],
  ];
  for (const [def, onGood, onBad] of expectations) {
    it(`${def.id}: ${onGood} on the good cluster, ${onBad} on the bad one`, () => {
      const r1 = runCheck(def, liveFacts({ postgres: [good] }));
      const r2 = runCheck(def, liveFacts({ postgres: [bad] }));
      expect(r1.status, r1.message).toBe(onGood);
      expect(r2.status, r2.message).toBe(onBad);
      expect(r2.evidence.length).toBeGreaterThan(0);
    });
  }

  it('judges each target and reports the worst', () => {
    const r = runCheck(walBuffers as unknown as CheckDefinition, liveFacts({ postgres: [good, bad] }));
    expect(r.status).toBe('fail');
    expect(r.evidence.map((e) => e.subject)).toEqual([
      'postgres://auditor:***@127.0.0.1:15432/app wal_buffers',
      'postgres://auditor:***@127.0.0.1:15433/app wal_buffers',
    ]);
  });

  it('names the offending table with its size', () => {
    const r = runCheck(missingIndex as unknown as CheckDefinition, liveFacts({ postgres: [bad] }));
    expect(r.evidence[0]?.subject).toBe('postgres://auditor:***@127.0.0.1:15433/app public.events');
    expect(r.evidence[0]?.note).toMatch(/idx_scan no index, \d+ rows, \d+(\.\d+)? MiB/);
    expect(r.remediation?.change).toContain('CREATE INDEX CONCURRENTLY ON "public"."events"');
  });

  it('shared-buffers takes RAM from the machine config when the target has none, and says which', () => {
    const { memory: _, ...rest } = good.data as Record<string, unknown>;
    const t = { ...good, data: { ...rest, memory: null } };
    const r = runCheck(
      sharedBuffers as unknown as CheckDefinition,
      liveFacts({ postgres: [t] }, { memoryBytes: 2 ** 30 }),
    );
    expect(r.status).toBe('pass');
    expect(r.evidence[0]?.note).toContain('config: machine memory');
    const none = runCheck(sharedBuffers as unknown as CheckDefinition, liveFacts({ postgres: [t] }));
    expect(none.status).toBe('skip');
    expect(none.message).toMatch(/cannot judge/);
  });

  it('connection-headroom shows the arithmetic', () => {
    const r = runCheck(connectionHeadroom as unknown as CheckDefinition, liveFacts({ postgres: [bad] }));
    expect(r.evidence[0]?.note).toContain('max_connections 30 − reserved 3 = 27 available');
    expect(r.evidence[0]?.note).toContain('4 workers × 1 replicas × (pool 10 + overflow 0) = 40');
    const ok = runCheck(connectionHeadroom as unknown as CheckDefinition, liveFacts({ postgres: [bad] }), {
      options: { 'postgres/connection-headroom': { workers: 2, poolSize: 5 } },
    });
    expect(ok.status).toBe('pass');
  });

  it('an archive_command that fails is reported with its failures', () => {
    const r = runCheck(walArchiving as unknown as CheckDefinition, liveFacts({ postgres: [bad] }));
    expect(r.message).toMatch(/archive_command is failing \(\d+ failures/);
  });

  it('vacuum-age says autovacuum is off and lists the table with dead tuples', () => {
    const r = runCheck(vacuumAge as unknown as CheckDefinition, liveFacts({ postgres: [bad] }));
    expect(r.message).toContain('autovacuum is off');
    expect(r.evidence.some((e) => e.subject.endsWith('public.events') && e.unit === '% dead tuples')).toBe(
      true,
    );
  });
});
