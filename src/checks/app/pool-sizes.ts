import { z } from 'zod';
import type { Call } from '../../collectors/app/schema.js';
import { defineCheck, type Evidence } from '../../core/check.js';
import { worstStatus } from '../../core/status.js';
import { absence, appTargets, at, guarded, matchesAny, shown, valueNote } from '../../facts/app.js';

type Store = 'postgres' | 'redis' | 'clickhouse';
interface Rule {
  store: Store;
  calls: string[];
  /** Keyword arguments holding the pool size, first found wins. */
  keys: string[];
  /** The library's default when none is given; null = unlimited; undefined = not known here. */
  dflt: number | null | undefined;
}

const RULES: Rule[] = [
  { store: 'postgres', calls: ['asyncpg.create_pool'], keys: ['max_size'], dflt: 10 },
  {
    store: 'postgres',
    calls: ['sqlalchemy.create_engine', 'sqlalchemy.ext.asyncio.create_async_engine'],
    keys: ['pool_size'],
    dflt: 5,
  },
  {
    store: 'postgres',
    calls: ['psycopg_pool.ConnectionPool', 'psycopg_pool.AsyncConnectionPool'],
    keys: ['max_size', 'min_size'],
    dflt: 4,
  },
  {
    store: 'redis',
    calls: [
      'redis.from_url',
      'redis.asyncio.from_url',
      'redis.Redis',
      'redis.asyncio.Redis',
      'redis.StrictRedis',
      'redis.ConnectionPool*',
      'redis.asyncio.ConnectionPool*',
      'redis.BlockingConnectionPool*',
      'redis.asyncio.BlockingConnectionPool*',
      'aioredis.from_url',
    ],
    keys: ['max_connections'],
    dflt: null,
  },
  {
    store: 'clickhouse',
    calls: [
      'clickhouse_connect.get_client',
      'clickhouse_connect.get_async_client',
      'clickhouse_connect.create_client',
      'clickhouse_connect.create_async_client',
      'asynch.create_pool',
      'aiochclient.ChClient',
    ],
    keys: ['maxsize', 'max_size', 'pool_size', 'connector_limit'],
    dflt: undefined,
  },
];

const range = z.tuple([z.number().int().positive(), z.number().int().positive()]);

export default defineCheck({
  id: 'app/pool-sizes',
  title: 'Connection pools are sized as the checklist says',
  failureTitle: "Connection pools are outside the checklist's sizes",
  description:
    'The checklist (1.3) sizes pools per worker: ClickHouse 10–20, PostgreSQL 5–10, Redis 5–10. The check ' +
    'reads each pool where the app creates it (asyncpg `max_size`, SQLAlchemy `pool_size` with ' +
    '`max_overflow` noted, redis `max_connections`, ClickHouse client pool options), resolving settings and ' +
    'env-var defaults. A size outside the range fails; no size given is judged on the library default ' +
    '(asyncpg 10, SQLAlchemy 5, redis-py unlimited) or warns when that default is not known. ' +
    'See https://docs.sqlalchemy.org/en/20/core/pooling.html and https://magicstack.github.io/asyncpg/current/api/index.html#connection-pools',
  seedRef: '1.3',
  severity: 'medium',
  kind: 'auto',
  requires: ['app'],
  options: z.object({
    postgres: range.default([5, 10]),
    redis: range.default([5, 10]),
    clickhouse: range.default([10, 20]),
  }),
  run(input, options) {
    const apps = appTargets(input);
    const evidence: Evidence[] = [];
    const judge = (c: Call, rule: Rule) => {
      if (rule.store === 'redis' && c.args.connection_pool) return;
      const [lo, hi] = options[rule.store];
      const key = rule.keys.find((k) => c.args[k]);
      const v = key ? c.args[key]! : undefined;
      const size = v ? v.value : rule.dflt;
      const note = [
        rule.store,
        v
          ? valueNote(v)
          : `no ${rule.keys[0]} given: library default ${rule.dflt === null ? 'unlimited' : (rule.dflt ?? 'unknown')}`,
        c.args.max_overflow ? `max_overflow ${shown(c.args.max_overflow)}` : undefined,
      ]
        .filter(Boolean)
        .join('; ');
      const status =
        typeof size === 'number'
          ? size >= lo && size <= hi
            ? 'pass'
            : 'fail'
          : size === null && !v
            ? 'fail'
            : 'warn';
      evidence.push({
        ...at(c),
        observed: v ? shown(v) : size === null ? 'unlimited' : 'default',
        expected: `${lo}–${hi}`,
        unit: 'connections',
        status,
        note,
      });
    };
    for (const { data } of apps) {
      for (const c of data.calls) {
        const rule = RULES.find((r) => matchesAny(c.qualified, r.calls));
        if (rule) judge(c, rule);
      }
    }
    const none = evidence.length === 0;
    if (none) evidence.push(...absence(apps, 'no pool creation found', 'sized pools', 'warn'));
    const status = worstStatus(evidence, 'warn');
    return guarded(apps, {
      status,
      message: none
        ? 'no pool creation found in the source'
        : status === 'pass'
          ? 'every pool is within range'
          : 'some pools are outside the range or unsized',
      evidence,
      ...(status !== 'pass'
        ? {
            remediation: {
              summary: 'Size each pool explicitly, per worker',
              change: `create_async_engine(url, pool_size=${options.postgres[1]}, max_overflow=5)\nasyncpg.create_pool(dsn, min_size=${options.postgres[0]}, max_size=${options.postgres[1]})\nredis.asyncio.from_url(url, max_connections=${options.redis[1]})`,
              applies: 'redeploy' as const,
            },
          }
        : {}),
    });
  },
});
