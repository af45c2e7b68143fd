import { z } from 'zod';
import { defineCheck } from '../../core/check.js';
import { combine, type Judgement } from '../../facts/postgres.js';

export default defineCheck({
  id: 'pgbouncer/pool-saturation',
  title: 'No client waits for a PgBouncer connection',
  failureTitle: 'Clients wait for PgBouncer connections',
  description:
    'A client waiting in PgBouncer (`SHOW POOLS` cl_waiting > 0, maxwait > 0) means the pool is ' +
    'exhausted: every request behind it is slowed. The checklist’s pool sizing aims at none waiting. ' +
    'This is a sample at audit time. https://www.pgbouncer.org/usage.html#show-pools',
  seedRef: '1.3',
  severity: 'high',
  kind: 'auto',
  requires: ['pgbouncer'],
  options: z.object({
    maxWaiting: z.number().int().nonnegative().default(0),
    maxWaitSeconds: z.number().nonnegative().default(0),
  }),
  run(input, options) {
    const judgements = input.source('pgbouncer').map((t): Judgement => {
      const pools = t.data!.pools.filter((p) => p.database !== 'pgbouncer');
      const bad = pools.filter(
        (p) => p.clWaiting > options.maxWaiting || p.maxwaitSeconds > options.maxWaitSeconds,
      );
      const evidence = (bad.length > 0 ? bad : pools).map((p) => ({
        subject: `${t.target} ${p.database}/${p.user}`,
        observed: p.clWaiting,
        expected: `<= ${options.maxWaiting}`,
        unit: 'waiting clients',
        status: bad.includes(p) ? ('fail' as const) : ('pass' as const),
        note: `cl_active ${p.clActive}, sv_active ${p.svActive}, sv_idle ${p.svIdle}, maxwait ${p.maxwaitSeconds.toFixed(3)} s`,
      }));
      return {
        status: bad.length > 0 ? 'fail' : 'pass',
        message: `${t.target}: ${bad.length} of ${pools.length} pool(s) with waiting clients`,
        evidence:
          evidence.length > 0
            ? evidence
            : [{ subject: t.target, observed: 0, unit: 'pools', note: 'no client pools open at audit time' }],
        remediation: {
          summary:
            'Raise the pool (within max_connections) or find what holds connections (long transactions)',
          change: '[pgbouncer]\ndefault_pool_size = 25\nreserve_pool_size = 5',
          applies: 'reload',
        },
      };
    });
    return combine(judgements, 'no PgBouncer target was read');
  },
});
