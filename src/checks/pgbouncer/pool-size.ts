import { z } from 'zod';
import type { Evidence } from '../../core/check.js';
import { defineCheck } from '../../core/check.js';
import { apiDemand } from '../../facts/demand.js';
import { combine, type Judgement, sameServer } from '../../facts/postgres.js';

export default defineCheck({
  id: 'pgbouncer/pool-size',
  title: 'PgBouncer pools are sized as the checklist says',
  failureTitle: 'PgBouncer pool size differs from the checklist',
  description:
    'The checklist sets PgBouncer’s `default_pool_size` to 25 (PgBouncer’s own default is 20): the ' +
    'server connections per user/database pair that all the app’s client connections share. When ' +
    'the postgres source is present, the pools pointing at a server must also fit its ' +
    'max_connections − superuser_reserved_connections. With Kubernetes manifests or a compose file, the ' +
    'client side is judged too: the API’s peak replicas (HPA maximum included) × workers × (pool + overflow), ' +
    'computed as postgres/connection-headroom does, must fit `max_client_conn`, or connections are refused ' +
    'at peak. `pool_mode` is reported. ' +
    'https://www.pgbouncer.org/config.html#default_pool_size',
  seedRef: '4.1',
  severity: 'medium',
  kind: 'auto',
  requires: ['pgbouncer'],
  optional: ['postgres', 'k8s', 'compose', 'dockerfile'],
  options: z.object({
    defaultPoolSize: z.number().int().positive().default(25),
    /** The app side, as postgres/connection-headroom reads it: workers per API process when unsaid. */
    workers: z.number().int().positive().default(4),
    /** SQLAlchemy pool size and overflow per worker. */
    poolSize: z.number().int().positive().default(10),
    maxOverflow: z.number().int().nonnegative().default(0),
  }),
  run(input, options) {
    const servers = input.has('postgres') ? input.source('postgres') : [];
    // The client side needs a deployment view: the options alone say nothing about this stack.
    const clients = apiDemand(input, {
      workers: options.workers,
      replicas: 1,
      poolSize: options.poolSize,
      maxOverflow: options.maxOverflow,
    });
    const judgements = input.source('pgbouncer').map((t): Judgement => {
      const data = t.data!;
      const size = Number(data.config.default_pool_size ?? Number.NaN);
      const evidence: Evidence[] = [
        {
          subject: `${t.target} default_pool_size`,
          observed: Number.isNaN(size) ? null : size,
          expected: String(options.defaultPoolSize),
          status: size === options.defaultPoolSize ? 'pass' : 'fail',
          note: `pool_mode ${data.config.pool_mode ?? 'unknown'}; reserve_pool_size ${data.config.reserve_pool_size ?? '0'}`,
        },
      ];
      let fits = true;
      for (const pg of servers) {
        const dbs = data.databases.filter((d) =>
          sameServer(d.host, d.port, pg.data!.server.host, pg.data!.server.port),
        );
        if (dbs.length === 0) continue;
        const demand = dbs.reduce(
          (s, d) =>
            s +
            (d.poolSize + d.reservePool) *
              Math.max(1, data.pools.filter((p) => p.database === d.name).length),
          0,
        );
        const v = (k: string) => Number(pg.data!.settings[k]?.value ?? 0);
        const available =
          v('max_connections') - v('superuser_reserved_connections') - v('reserved_connections');
        fits &&= demand <= available;
        evidence.push({
          subject: `${t.target} → ${pg.target}`,
          observed: demand,
          expected: `<= ${available}`,
          unit: 'server connections',
          status: demand <= available ? 'pass' : 'fail',
          note: dbs.map((d) => `${d.name}: pool_size ${d.poolSize} + reserve ${d.reservePool}`).join(', '),
        });
      }
      const maxClient = Number(data.config.max_client_conn ?? Number.NaN);
      let clientsFit = true;
      if (clients.from !== 'options' && !Number.isNaN(maxClient)) {
        clientsFit = clients.total <= maxClient;
        evidence.push({
          subject: `${t.target} max_client_conn`,
          observed: clients.total,
          expected: `<= ${maxClient}`,
          unit: 'client connections',
          status: clientsFit ? 'pass' : 'fail',
          note: `demand from the ${clients.from === 'k8s' ? 'Kubernetes manifests' : 'compose file'}: ${clients.parts.join(' + ')}`,
        });
      }
      const ok = size === options.defaultPoolSize && fits && clientsFit;
      return {
        status: ok ? 'pass' : 'fail',
        message: `${t.target}: default_pool_size ${Number.isNaN(size) ? 'unknown' : size}${fits ? '' : '; pools exceed max_connections'}${clientsFit ? '' : `; the API can open ${clients.total} client connections, max_client_conn is ${maxClient}`}`,
        evidence,
        remediation: {
          summary: `Set default_pool_size = ${options.defaultPoolSize} in pgbouncer.ini (and keep the pools within max_connections${clientsFit ? '' : ', max_client_conn above the API’s peak client connections'})`,
          change: `[pgbouncer]\ndefault_pool_size = ${options.defaultPoolSize}${clientsFit ? '' : `\nmax_client_conn = ${Math.ceil(clients.total * 1.25)}`}`,
          applies: 'reload',
        },
      };
    });
    return combine(judgements, 'no PgBouncer target was read');
  },
});
