import { z } from 'zod';
import { combine, type Judgement, sameServer } from '../../facts/postgres.js';
import { defineCheck } from '../../core/check.js';
import { apiDemand, deploymentHasPgbouncer } from '../../facts/demand.js';

export default defineCheck({
  id: 'postgres/connection-headroom',
  title: 'Connection pools fit max_connections',
  failureTitle: 'Connection pools can exceed max_connections',
  description:
    'Every pooled connection is a PostgreSQL backend. The checklist pairs a pool of 5–10 per worker ' +
    '× 4 workers with "PgBouncer 25": 20–40 client connections only fit if 25 is PgBouncer’s ' +
    'server-side pool. strisk compares the demand on the server — PgBouncer’s pools for databases ' +
    'on this server when the pgbouncer source is present, else workers × replicas × (pool + overflow) ' +
    "from the options (with Kubernetes manifests: each API workload's peak replicas, its HPA maximum included, × " +
    'its workers × (pool + overflow); else with a compose file: each app service’s replicas × workers × (pool + ' +
    'overflow); neither when a PgBouncer runs in the deployment) — with max_connections − superuser_reserved_connections (− reserved_connections ' +
    'on 16+), and shows the arithmetic. ' +
    'https://www.postgresql.org/docs/current/runtime-config-connection.html#GUC-MAX-CONNECTIONS',
  seedRef: '1.3',
  severity: 'high',
  kind: 'auto',
  requires: ['postgres'],
  optional: ['pgbouncer', 'k8s', 'compose', 'dockerfile'],
  options: z.object({
    workers: z.number().int().positive().default(4),
    replicas: z.number().int().positive().default(1),
    poolSize: z.number().int().positive().default(10),
    maxOverflow: z.number().int().nonnegative().default(0),
    /** Warn when demand uses more than this share of the available connections. */
    warnRatio: z.number().min(0).max(1).default(0.8),
  }),
  run(input, options) {
    const o = {
      workers: options.workers,
      replicas: options.replicas,
      poolSize: options.poolSize,
      maxOverflow: options.maxOverflow,
    };
    const bouncers = input.has('pgbouncer') ? input.source('pgbouncer') : [];
    const judgements = input.source('postgres').map((t): Judgement => {
      const data = t.data!;
      const n = (k: string) =>
        typeof data.settings[k]?.value === 'number' ? (data.settings[k]!.value as number) : 0;
      const max = n('max_connections');
      const reserved = n('superuser_reserved_connections') + n('reserved_connections');
      const available = max - reserved;
      const parts: string[] = [];
      let demand = 0;
      for (const b of bouncers) {
        for (const db of b.data!.databases.filter((d) =>
          sameServer(d.host, d.port, data.server.host, data.server.port),
        )) {
          const users = Math.max(1, b.data!.pools.filter((p) => p.database === db.name).length);
          const size = db.poolSize + db.reservePool;
          demand += size * users;
          parts.push(
            `${b.target} ${db.name}: (pool_size ${db.poolSize} + reserve ${db.reservePool}) × ${users} user pool(s) = ${size * users}`,
          );
        }
      }
      const viaBouncer = parts.length > 0;
      if (!viaBouncer) {
        // Behind a PgBouncer of the deployment the app's pools meet PgBouncer, not the server.
        const d = apiDemand(input, o, !deploymentHasPgbouncer(input));
        demand = d.total;
        parts.push(...d.parts);
      }
      const status = demand > available ? 'fail' : demand > options.warnRatio * available ? 'warn' : 'pass';
      const arithmetic = `max_connections ${max} − reserved ${reserved} = ${available} available; demand ${parts.join(' + ')}`;
      return {
        status,
        message: `${t.target}: demand ${demand} of ${available} available connections${viaBouncer ? ' (via PgBouncer)' : ''}`,
        evidence: [
          {
            subject: `${t.target} max_connections`,
            observed: demand,
            expected: `<= ${available}${status === 'warn' ? ` (warn above ${Math.floor(options.warnRatio * available)})` : ''}`,
            unit: 'connections',
            status: status === 'pass' ? 'pass' : status,
            note: `${arithmetic}; ${data.connections.current} client backends connected now`,
          },
        ],
        remediation: {
          summary: viaBouncer
            ? 'Shrink PgBouncer pools or raise max_connections'
            : 'Put PgBouncer in front, shrink the app pools, or raise max_connections',
          change: `ALTER SYSTEM SET max_connections = ${Math.ceil((demand + reserved) * 1.25)};`,
          applies: 'restart',
        },
      };
    });
    return combine(judgements, 'no PostgreSQL target was read');
  },
});
