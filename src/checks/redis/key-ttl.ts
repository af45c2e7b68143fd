import { z } from 'zod';
import type { PatternSample } from '../../collectors/redis/schema.js';
import { defineCheck, type Evidence, type OutcomeStatus } from '../../core/check.js';
import { evidenceStatus, redisNodes, worst } from '../../facts/redis.js';

/** Keys over `bound` from the histogram; exact when the bound is a bucket edge, else a lower bound. */
function overFromBuckets(p: PatternSample, bound: number): { count: number; exact: boolean } {
  let count = 0;
  let exact = false;
  let lower = 0;
  for (const b of p.buckets) {
    if (lower >= bound) count += b.count;
    if (lower === bound || b.leSeconds === bound) exact = true;
    lower = b.leSeconds ?? Number.POSITIVE_INFINITY;
  }
  if (count === 0 && (p.ttlSeconds?.max ?? 0) > bound) return { count: 1, exact: false };
  return { count, exact };
}

function describe(p: PatternSample): string {
  const d = p.ttlSeconds;
  const dist = d ? `TTL min ${d.min} s, p50 ${d.p50} s, p90 ${d.p90} s, max ${d.max} s` : 'no key with a TTL';
  const buckets = p.buckets
    .filter((b) => b.count > 0)
    .map((b) => `${b.leSeconds === null ? '>604800' : `≤${b.leSeconds}`}: ${b.count}`)
    .join(', ');
  const how = p.complete
    ? 'every matching key'
    : `a sample (stopped by ${p.stoppedBy} after ${p.scanCalls} SCAN calls)`;
  return `${p.sampled} keys sampled, ${how}; ${p.noTtl} without TTL; ${dist}${buckets ? `; buckets ${buckets}` : ''}`;
}

export default defineCheck({
  id: 'redis/key-ttl',
  title: 'Redis keys expire within their bounds',
  failureTitle: 'Redis keys live without a TTL or longer than their bound',
  description:
    'The checklist wants every key to expire: sessions within 1 hour (3600 s), computed data within ' +
    '15 minutes (900 s). A key without a TTL stays until it is evicted or deleted, which grows memory ' +
    'and serves stale data. strisk samples each configured key pattern (target option `keyPatterns`, ' +
    'default `session:*` and `sess:*` as sessions, `cache:*` as computed) with a bounded SCAN, never ' +
    'KEYS, and reads PTTL; a pattern may set its own `maxTtlSeconds`. Patterns of kind `other` without ' +
    'a bound are reported, not judged. Fails when more than `maxNoTtlRatio` of a pattern has no TTL or ' +
    'more than `maxOverBoundRatio` lives longer than the bound. See https://redis.io/docs/latest/commands/expire/',
  seedRef: '4.2',
  severity: 'high',
  kind: 'auto',
  requires: ['redis'],
  options: z.object({
    sessionMaxTtlSeconds: z.number().positive().default(3600),
    computedMaxTtlSeconds: z.number().positive().default(900),
    maxNoTtlRatio: z.number().min(0).max(1).default(0),
    maxOverBoundRatio: z.number().min(0).max(1).default(0),
  }),
  run(input, options) {
    const evidence: Evidence[] = [];
    const statuses: OutcomeStatus[] = [];
    for (const { subject, node } of redisNodes(input.source('redis'))) {
      for (const p of node.sampling.patterns) {
        const bound =
          p.maxTtlSeconds ??
          (p.kind === 'session'
            ? options.sessionMaxTtlSeconds
            : p.kind === 'computed'
              ? options.computedMaxTtlSeconds
              : undefined);
        const base = { subject: `${subject} ${p.pattern}`, unit: 's', note: describe(p) };
        if (p.sampled === 0 || bound === undefined) {
          evidence.push({
            ...base,
            observed: p.ttlSeconds?.max ?? null,
            expected: bound === undefined ? 'not judged (kind other)' : `TTL ≤ ${bound} s`,
            status: 'info',
            note: p.sampled === 0 ? 'no key matched' : base.note,
          });
          continue;
        }
        const over =
          p.overMaxTtl !== undefined && p.maxTtlSeconds === bound
            ? { count: p.overMaxTtl, exact: true }
            : overFromBuckets(p, bound);
        const status: OutcomeStatus =
          p.noTtl / p.sampled > options.maxNoTtlRatio || over.count / p.sampled > options.maxOverBoundRatio
            ? 'fail'
            : 'pass';
        statuses.push(status);
        evidence.push({
          ...base,
          observed: p.noTtl > 0 ? `${p.noTtl} of ${p.sampled} without TTL` : (p.ttlSeconds?.max ?? null),
          expected: `every key with a TTL ≤ ${bound} s (${p.kind})`,
          status: evidenceStatus(status),
          note: `${base.note}; ${over.exact ? '' : 'at least '}${over.count} over ${bound} s`,
        });
      }
    }
    const status = statuses.length === 0 ? 'skip' : worst(statuses);
    return {
      status,
      message: {
        pass: 'sampled keys expire within their bounds',
        fail: 'sampled keys have no TTL or one longer than their bound',
        warn: '',
        skip: 'no key matched a configured session or computed pattern',
      }[status],
      evidence,
      ...(status === 'fail'
        ? {
            remediation: {
              summary:
                'Give every key a TTL when the application writes it (sessions ≤ 1 h, computed data ≤ 15 min); ' +
                'existing keys without one can be given an EXPIRE by a one-off script',
              change:
                `SET session:<id> <value> EX ${options.sessionMaxTtlSeconds}\n` +
                `SET cache:<key> <value> EX ${options.computedMaxTtlSeconds}\n` +
                '# Python (redis.asyncio): await r.set(key, value, ex=900)',
              applies: 'redeploy' as const,
            },
          }
        : {}),
    };
  },
});
