import { z } from 'zod';
import { defineCheck, type Evidence } from '../../core/check.js';
import { worstStatus } from '../../core/status.js';
import { absence, appTargets, at, callsMatching, depOf, guarded, matchesAny } from '../../facts/app.js';

const STORES = {
  postgres: {
    sync: ['psycopg2.*', 'psycopg.connect', 'sqlalchemy.create_engine', 'pg8000.*'],
    async: [
      'asyncpg.*',
      'sqlalchemy.ext.asyncio.create_async_engine',
      'psycopg.AsyncConnection*',
      'psycopg_pool.AsyncConnectionPool',
      'databases.Database',
    ],
    syncDeps: ['psycopg2', 'psycopg2-binary', 'pg8000'],
  },
  redis: {
    sync: [
      'redis.Redis',
      'redis.StrictRedis',
      'redis.from_url',
      'redis.ConnectionPool*',
      'redis.client.Redis',
    ],
    async: ['redis.asyncio.*', 'aioredis.*'],
    syncDeps: [],
  },
  clickhouse: {
    sync: ['clickhouse_driver.*', 'clickhouse_connect.get_client', 'clickhouse_connect.create_client'],
    async: [
      'clickhouse_connect.get_async_client',
      'clickhouse_connect.create_async_client',
      'aiochclient.*',
      'asynch.*',
    ],
    syncDeps: ['clickhouse-driver'],
  },
} as const;

export default defineCheck({
  id: 'app/async-drivers',
  title: 'The app talks to its databases through async drivers',
  failureTitle: 'The app uses synchronous database drivers',
  description:
    'The checklist (1.1) asks for async drivers: asyncpg (or psycopg 3 async) for PostgreSQL, `redis.asyncio` ' +
    'for Redis, an async ClickHouse client. A sync client used from async code blocks the event loop on every ' +
    'query. The check reads where the app creates its clients (file:line) and its dependencies; a sync client ' +
    'creation fails, a sync driver only listed in the dependencies warns. ' +
    'See https://fastapi.tiangolo.com/async/ and https://redis.readthedocs.io/en/stable/examples/asyncio_examples.html',
  seedRef: '1.1',
  severity: 'high',
  kind: 'auto',
  requires: ['app'],
  options: z.object({}),
  run(input) {
    const apps = appTargets(input);
    const evidence: Evidence[] = [];
    for (const { data } of apps) {
      for (const [store, rules] of Object.entries(STORES)) {
        const created = callsMatching(data, [...rules.sync, ...rules.async]);
        for (const c of created) {
          const sync = matchesAny(c.qualified, rules.sync) !== undefined;
          // `create_engine("postgresql+asyncpg://...")` is not a thing; a sync engine with an async URL is still sync.
          evidence.push({
            ...at(c),
            observed: c.qualified,
            expected: `an async ${store} client`,
            status: sync ? 'fail' : 'pass',
            note: store,
          });
        }
        for (const name of rules.syncDeps) {
          const dep = depOf(data, name);
          if (dep && created.length === 0) {
            evidence.push({
              ...at(dep),
              observed: `${dep.name}${dep.spec}`,
              expected: `an async ${store} driver`,
              status: 'warn',
              note: 'sync driver in the dependencies',
            });
          }
        }
      }
    }
    const none = evidence.length === 0;
    if (none) evidence.push(...absence(apps, 'no database client creation found', 'async clients', 'warn'));
    const status = worstStatus(evidence, 'warn');
    const bad = evidence.filter((e) => e.status === 'fail' || e.status === 'warn');
    return guarded(apps, {
      status,
      message: none
        ? 'no database client creation found in the source'
        : status === 'pass'
          ? 'every database client the app creates is async'
          : `sync drivers: ${[...new Set(bad.map((e) => String(e.observed)))].join(', ')}`,
      evidence,
      ...(status !== 'pass'
        ? {
            remediation: {
              summary: 'Use async clients for every datastore',
              change:
                'asyncpg.create_pool(...) or sqlalchemy.ext.asyncio.create_async_engine("postgresql+asyncpg://...")\n' +
                'redis.asyncio.from_url(url, max_connections=10)\n' +
                'await clickhouse_connect.get_async_client(...)   # or aiochclient / asynch',
              applies: 'redeploy' as const,
            },
          }
        : {}),
    });
  },
});
