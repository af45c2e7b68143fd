import { z } from 'zod';
import { defineCheck, type Evidence, type Metric, type OutcomeStatus } from '../../core/check.js';
import { evidenceStatus, redisNodes, worst } from '../../facts/redis.js';

const pct = (r: number) => `${(r * 100).toFixed(1)}%`;

export default defineCheck({
  id: 'redis/hit-ratio',
  title: 'Redis serves most lookups from the cache',
  failureTitle: 'Redis cache hit ratio is low',
  description:
    'The checklist asks for a hit ratio above 80%, with 85% as the target: keyspace_hits / (keyspace_hits ' +
    '+ keyspace_misses) from INFO stats. Below `failAtOrBelow` fails, below `target` warns. The counters ' +
    'are cumulative since the server started or since CONFIG RESETSTAT, so an old warm-up or a recent ' +
    'change is averaged in; the target option `hitRatioWindowMs` reads them twice and judges the window ' +
    "instead. Fewer than `minLookups` lookups are too few to judge (skip). strisk's own key sampling " +
    '(PTTL) counts as hits in later readings. See https://redis.io/docs/latest/commands/info/',
  seedRef: '4.2',
  severity: 'medium',
  kind: 'auto',
  requires: ['redis'],
  options: z.object({
    failAtOrBelow: z.number().min(0).max(1).default(0.8),
    target: z.number().min(0).max(1).default(0.85),
    minLookups: z.number().int().min(1).default(1000),
  }),
  run(input, options) {
    const evidence: Evidence[] = [];
    const metrics: Metric[] = [];
    const statuses = redisNodes(input.source('redis')).map(({ subject, node }): OutcomeStatus => {
      const w = node.stats.window;
      const hits = w ? w.hits : node.stats.keyspaceHits;
      const misses = w ? w.misses : node.stats.keyspaceMisses;
      const lookups = hits + misses;
      const over = w
        ? `over a ${w.ms} ms window`
        : `cumulative since start or CONFIG RESETSTAT (uptime ${node.stats.uptimeSeconds ?? '?'} s)`;
      const ratio = lookups > 0 ? hits / lookups : null;
      const status: OutcomeStatus =
        ratio === null || lookups < options.minLookups
          ? 'skip'
          : ratio <= options.failAtOrBelow
            ? 'fail'
            : ratio < options.target
              ? 'warn'
              : 'pass';
      if (ratio !== null && lookups >= options.minLookups)
        metrics.push({
          name: 'hit ratio',
          value: Math.round(ratio * 10_000) / 10_000,
          unit: 'ratio',
          better: 'higher',
          subject,
        });
      evidence.push({
        subject,
        observed: ratio === null ? null : Math.round(ratio * 10_000) / 10_000,
        expected: `> ${pct(options.failAtOrBelow)} (target ${pct(options.target)})`,
        unit: 'ratio',
        status: evidenceStatus(status),
        note:
          `${hits} hits, ${misses} misses, ${lookups} lookups ${over}` +
          (status === 'skip' ? `; too few lookups to judge (${lookups} < ${options.minLookups})` : ''),
      });
      return status;
    });
    const status = worst(statuses);
    return {
      status,
      metrics,
      message: {
        pass: `hit ratio at or above ${pct(options.target)}`,
        warn: `hit ratio below the ${pct(options.target)} target`,
        fail: `hit ratio at or below ${pct(options.failAtOrBelow)}`,
        skip: 'too few lookups to judge the hit ratio',
      }[status],
      evidence,
      ...(status === 'fail' || status === 'warn'
        ? {
            remediation: {
              summary:
                'Find the misses: cache the hot reads, give computed data TTLs long enough to be reused, ' +
                'check that maxmemory is not evicting live entries (evicted_keys), and reset the counters ' +
                'after a change to measure again',
              applies: 'redeploy' as const,
            },
          }
        : {}),
    };
  },
});
