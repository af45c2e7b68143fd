// Every Redis check against its recorded facts: success* → pass, failure* → fail, warning* → warn,
// skip* → skip. The facts were recorded from the test servers of scripts/services/redis.sh; to record
// them again: scripts/test-services.sh start redis && STRISK_UPDATE_FIXTURES=1 npx vitest run test/redis/fixtures
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import aof from '../../src/checks/redis/aof.js';
import evictionPolicy from '../../src/checks/redis/eviction-policy.js';
import hitRatio from '../../src/checks/redis/hit-ratio.js';
import keyTtl from '../../src/checks/redis/key-ttl.js';
import maxmemory from '../../src/checks/redis/maxmemory.js';
import { collect } from '../../src/collectors/redis/index.js';
import type { TargetSpec } from '../../src/collectors/types.js';
import type { CheckDefinition } from '../../src/core/check.js';
import { runCheck } from '../../src/core/engine.js';
import { type Facts, FactsSchema } from '../../src/core/facts.js';
import { requireService } from '../support/services.js';

const CHECKS: Record<string, CheckDefinition> = {
  aof,
  'eviction-policy': evictionPolicy,
  'hit-ratio': hitRatio,
  'key-ttl': keyTtl,
  maxmemory,
};
const DIR = resolve(import.meta.dirname, '../../fixtures/checks/redis');
const EXPECTED: Record<string, string> = { success: 'pass', failure: 'fail', warning: 'warn', skip: 'skip' };

async function record(spec: TargetSpec, machine: Facts['machine'] = {}): Promise<Facts> {
  const t = await collect(spec, { timeoutMs: 5000, projectDir: '.' });
  if (t.status !== 'ok') throw new Error(`${spec.url}: ${t.status} ${t.message}`);
  return {
    schemaVersion: 1,
    tool: { name: 'strisk', version: '0.1.0' },
    collectedAt: new Date().toISOString(),
    durationMs: t.durationMs,
    projectDir: '.',
    machine,
    roles: {},
    sources: { redis: [t] },
  };
}

/** Which server and options make each fixture. */
async function regenerate(): Promise<void> {
  const good = { url: requireService('STRISK_TEST_REDIS_GOOD') };
  const bad = { url: requireService('STRISK_TEST_REDIS_BAD') };
  const acl = { url: requireService('STRISK_TEST_REDIS_ACL'), name: 'redis://auditor:***@127.0.0.1:16392' };
  const goodFacts = await record(good);
  const badFacts = await record(bad);
  const plan: [string, string, Facts][] = [
    ['aof', 'success', goodFacts],
    ['aof', 'failure', badFacts],
    ['aof', 'success-config-from-info', await record(acl)],
    [
      'eviction-policy',
      'success',
      await record({ ...good, keyPatterns: [{ pattern: 'cache:*', kind: 'computed' }] }),
    ],
    ['eviction-policy', 'warning-sessions', goodFacts],
    ['eviction-policy', 'failure', badFacts],
    ['hit-ratio', 'success', goodFacts],
    ['hit-ratio', 'failure', badFacts],
    ['hit-ratio', 'skip-few-lookups', await record(acl)],
    ['key-ttl', 'success', goodFacts],
    ['key-ttl', 'failure', badFacts],
    [
      'key-ttl',
      'skip-no-match',
      await record({ ...good, keyPatterns: [{ pattern: 'nomatch:*', kind: 'session' }] }),
    ],
    ['maxmemory', 'success', goodFacts],
    ['maxmemory', 'failure', badFacts],
    ['maxmemory', 'warning-headroom', await record(good, { memoryBytes: 80_000_000 })],
  ];
  for (const [noun, name, facts] of plan) {
    mkdirSync(resolve(DIR, noun), { recursive: true });
    writeFileSync(resolve(DIR, noun, `${name}.facts.json`), `${JSON.stringify(facts, null, 2)}\n`);
  }
}

describe('redis check fixtures', () => {
  beforeAll(async () => {
    if (process.env.STRISK_UPDATE_FIXTURES) await regenerate();
  });

  for (const [noun, def] of Object.entries(CHECKS)) {
    const files = readdirSync(resolve(DIR, noun)).filter((f) => f.endsWith('.facts.json'));
    it(`${def.id} has a passing and a failing fixture`, () => {
      expect(files.some((f) => f.startsWith('success'))).toBe(true);
      expect(files.some((f) => f.startsWith('failure'))).toBe(true);
    });
    for (const file of files) {
      const expected = EXPECTED[file.split(/[-.]/)[0]!];
      it(`${def.id} ${file} → ${expected}`, () => {
        const facts = FactsSchema.parse(JSON.parse(readFileSync(resolve(DIR, noun, file), 'utf8')));
        const result = runCheck(def, facts);
        expect(result.status, JSON.stringify(result, null, 2)).toBe(expected);
        expect(result.evidence.length).toBeGreaterThan(0);
      });
    }
  }
});
