import { beforeAll, describe, expect, it } from 'vitest';
import aof from '../../src/checks/redis/aof.js';
import evictionPolicy from '../../src/checks/redis/eviction-policy.js';
import hitRatio from '../../src/checks/redis/hit-ratio.js';
import keyTtl from '../../src/checks/redis/key-ttl.js';
import maxmemory from '../../src/checks/redis/maxmemory.js';
import { collect } from '../../src/collectors/redis/index.js';
import type { RedisFacts } from '../../src/collectors/redis/schema.js';
import type { TargetSpec } from '../../src/collectors/types.js';
import type { CheckDefinition } from '../../src/core/check.js';
import { runCheck } from '../../src/core/engine.js';
import type { Facts, TargetFacts } from '../../src/core/facts.js';
import { requireService } from '../support/services.js';

const CHECKS = [aof, evictionPolicy, hitRatio, keyTtl, maxmemory] as CheckDefinition[];

function factsOf(targets: TargetFacts[], machine: Facts['machine'] = {}): Facts {
  return {
    schemaVersion: 1,
    tool: { name: 'strisk', version: '0.1.0' },
    collectedAt: '2025-01-01T00:00:00.000Z',
    durationMs: 1,
    projectDir: '.',
    machine,
    roles: {},
    sources: { redis: targets },
  };
}
const collectOne = (spec: TargetSpec) => collect(spec, { timeoutMs: 5000, projectDir: '.' });
const verdicts = (facts: Facts, options?: Record<string, unknown>) =>
  Object.fromEntries(CHECKS.map((d) => [d.id, runCheck(d, facts, { options }).status]));

let good: TargetFacts<RedisFacts>;
let bad: TargetFacts<RedisFacts>;
let acl: TargetFacts<RedisFacts>;
let cluster: TargetFacts<RedisFacts>;
beforeAll(async () => {
  const one = (k: string) => collectOne({ url: requireService(`STRISK_TEST_REDIS_${k}`) });
  [good, bad, acl, cluster] = await Promise.all([one('GOOD'), one('BAD'), one('ACL'), one('CLUSTER')]);
});

/** A copy of a target's facts with its first node changed. */
function edit(t: TargetFacts<RedisFacts>, change: (n: RedisFacts['nodes'][number]) => void) {
  const copy = structuredClone(t);
  change(copy.data!.nodes[0]!);
  return copy;
}

describe('redis checks on the real servers', () => {
  it('the good server passes, but warns that allkeys-lru may evict its sessions', () => {
    expect(verdicts(factsOf([good]))).toEqual({
      'redis/aof': 'pass',
      'redis/eviction-policy': 'warn',
      'redis/hit-ratio': 'pass',
      'redis/key-ttl': 'pass',
      'redis/maxmemory': 'pass',
    });
  });

  it('the bad server fails every check', () => {
    expect(verdicts(factsOf([bad]))).toEqual({
      'redis/aof': 'fail',
      'redis/eviction-policy': 'fail',
      'redis/hit-ratio': 'fail',
      'redis/key-ttl': 'fail',
      'redis/maxmemory': 'fail',
    });
  });

  it('the ACL server is judged from INFO, and says so', () => {
    const facts = factsOf([acl]);
    expect(verdicts(facts)).toMatchObject({
      'redis/aof': 'pass',
      'redis/maxmemory': 'pass',
      'redis/eviction-policy': 'warn',
      'redis/key-ttl': 'pass',
    });
    for (const def of [aof, maxmemory, evictionPolicy]) {
      expect(runCheck(def, facts).evidence[0]?.note).toMatch(/read from INFO: CONFIG GET refused: NOPERM/);
    }
  });

  it('judges every master of a cluster, with evidence per node', () => {
    const result = runCheck(aof, factsOf([cluster]));
    expect(result.status).toBe('pass');
    expect(result.evidence.map((e) => e.subject)).toEqual([
      'redis://127.0.0.1:16393 (node 127.0.0.1:16393)',
      'redis://127.0.0.1:16393 (node 127.0.0.1:16394)',
      'redis://127.0.0.1:16393 (node 127.0.0.1:16395)',
    ]);
  });

  it('several targets: one bad target fails the check, with evidence for each', () => {
    const result = runCheck(maxmemory, factsOf([good, bad]));
    expect(result.status).toBe('fail');
    expect(result.evidence.map((e) => [e.subject, e.status])).toEqual([
      ['redis://127.0.0.1:16390', 'pass'],
      ['redis://127.0.0.1:16391/0', 'fail'],
    ]);
    expect(result.remediation?.change).toContain('CONFIG SET maxmemory 4gb');
  });

  it('an unreadable target is an error, never a pass', async () => {
    const down = await collectOne({ url: 'redis://127.0.0.1:1' });
    expect(runCheck(aof, factsOf([down])).status).toBe('error');
    expect(runCheck(aof, factsOf([good, down])).status).toBe('error');
  });

  it('evidence names the target, the observed and expected values', () => {
    const [e] = runCheck(maxmemory, factsOf([bad])).evidence;
    expect(e).toMatchObject({
      subject: 'redis://127.0.0.1:16391/0',
      observed: 0,
      unit: 'bytes',
      status: 'fail',
    });
    expect(e?.expected).toMatch(/^set, ≤/);
  });
});

describe('redis check thresholds', () => {
  it('hit ratio between 80% and 85% warns; at 80% fails; with a window the window is judged', () => {
    const at = (hits: number, misses: number) =>
      runCheck(
        hitRatio,
        factsOf([edit(good, (n) => Object.assign(n.stats, { keyspaceHits: hits, keyspaceMisses: misses }))]),
      );
    expect(at(8300, 1700).status).toBe('warn');
    expect(at(8000, 2000).status).toBe('fail');
    expect(at(8600, 1400).status).toBe('pass');
    const windowed = edit(good, (n) => {
      n.stats.window = { ms: 1000, hits: 10, misses: 5000 };
    });
    expect(runCheck(hitRatio, factsOf([windowed])).status).toBe('fail');
    const few = runCheck(
      hitRatio,
      factsOf([edit(acl, (n) => Object.assign(n.stats, { keyspaceHits: 20, keyspaceMisses: 0 }))]),
    );
    expect(few.status).toBe('skip');
    expect(few.evidence[0]?.note).toMatch(/too few lookups to judge \(20 < 1000\)/);
  });

  it('maxmemory: 0 fails, at the machine memory fails, near it warns, without any known size compares 4 GiB', () => {
    const gib = 1024 ** 3;
    const run = (max: number, total: number | null, machine: Facts['machine'] = {}) =>
      runCheck(
        maxmemory,
        factsOf(
          [
            edit(good, (n) => {
              n.config.maxmemoryBytes = max;
              n.memory.totalSystemMemoryBytes = total;
            }),
          ],
          machine,
        ),
      ).status;
    expect(run(0, 16 * gib)).toBe('fail');
    expect(run(16 * gib, 16 * gib)).toBe('fail');
    expect(run(14 * gib, 16 * gib)).toBe('warn');
    expect(run(8 * gib, 16 * gib)).toBe('pass');
    expect(run(8 * gib, 64 * gib, { memoryBytes: 8 * gib })).toBe('fail');
    expect(run(4 * gib, null)).toBe('pass');
    expect(run(6 * gib, null)).toBe('warn');
  });

  it('eviction policy: another policy warns; without session keys allkeys-lru passes', () => {
    const lfu = edit(good, (n) => {
      n.config.maxmemoryPolicy = 'allkeys-lfu';
    });
    expect(runCheck(evictionPolicy, factsOf([lfu])).status).toBe('warn');
    const noSessions = edit(good, (n) => {
      n.sampling.patterns = n.sampling.patterns.filter((p) => p.kind !== 'session');
    });
    expect(runCheck(evictionPolicy, factsOf([noSessions])).status).toBe('pass');
    expect(
      runCheck(evictionPolicy, factsOf([good]), {
        options: { 'redis/eviction-policy': { warnWithSessions: false } },
      }).status,
    ).toBe('pass');
  });

  it('key TTL bounds come from the options, or from the pattern', () => {
    const opts = (o: Record<string, unknown>) => ({ options: { 'redis/key-ttl': o } });
    expect(runCheck(keyTtl, factsOf([good]), opts({ sessionMaxTtlSeconds: 1800 })).status).toBe('fail');
    expect(runCheck(keyTtl, factsOf([good]), opts({ computedMaxTtlSeconds: 500 })).status).toBe('fail');
    expect(
      runCheck(
        keyTtl,
        factsOf([bad]),
        opts({ maxNoTtlRatio: 1, sessionMaxTtlSeconds: 1e6, computedMaxTtlSeconds: 1e6 }),
      ).status,
    ).toBe('pass');
    expect(runCheck(keyTtl, factsOf([good]), opts({ sessionMaxTtlSeconds: -1 })).status).toBe('error');
  });
});
