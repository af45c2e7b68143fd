import { z } from 'zod';
import { defineCheck, type Evidence } from '../../core/check.js';
import { appTargets, at, guarded, matchesAny } from '../../facts/app.js';

/** Calls that block the event loop, by qualified name (`x.*` is any member; `f().*` any method of a client made by `f`). */
const BLOCKING = [
  'requests.*',
  'urllib.request.*',
  'urllib3.*',
  'http.client.*',
  'time.sleep',
  'subprocess.*',
  'os.system',
  'socket.create_connection',
  'psycopg2.*',
  'pymysql.*',
  'clickhouse_driver.*',
  'clickhouse_connect.get_client().*',
  'clickhouse_connect.create_client().*',
  'redis.Redis*',
  'redis.StrictRedis*',
  'redis.from_url().*',
  'redis.client.Redis*',
  'httpx.Client*',
  'httpx.get',
  'httpx.post',
  'httpx.put',
  'httpx.delete',
  'httpx.patch',
  'httpx.request',
  'sqlalchemy.create_engine().*',
  'sqlalchemy.inspect().*',
  'sqlalchemy.orm.Session*',
  'sqlmodel.Session*',
  'sqlmodel.create_engine().*',
  'pymongo.*',
];

export default defineCheck({
  id: 'app/blocking-call-in-async',
  title: 'No blocking I/O inside async route handlers',
  failureTitle: 'Async route handlers make blocking calls',
  description:
    'An `async def` route runs on the event loop: one blocking call (`requests.get`, `time.sleep`, a sync ' +
    'database driver) stalls every request the worker is serving until it returns. The checklist (1.1) asks ' +
    'for async I/O throughout. The check follows each async route into the project functions it calls ' +
    '(transitively, and into its `async def` `Depends()` dependencies: FastAPI runs sync ones in its thread ' +
    'pool), and into the async `dispatch`/`__call__` of project middleware and `@app.middleware` functions, ' +
    'and lists every blocking call with file:line and the chain; a sync SQLAlchemy/SQLModel engine, session ' +
    'or `inspect()` there blocks too. `open()` is a warning ' +
    '(file I/O blocks too, but small files are usually harmless). Sync `def` routes run in a thread pool and ' +
    'are not flagged. Use an async client, `await asyncio.sleep`, or `await run_in_threadpool(fn, ...)`. ' +
    'See https://fastapi.tiangolo.com/async/',
  seedRef: '1.1',
  severity: 'high',
  kind: 'auto',
  requires: ['app'],
  options: z.object({
    blocking: z.array(z.string()).default(BLOCKING),
    /** Calls that block when given a large file; warned, not failed. */
    fileIo: z.array(z.string()).default(['open']),
  }),
  run(input, options) {
    const apps = appTargets(input);
    const evidence: Evidence[] = [];
    let asyncRoutes = 0;
    for (const { data } of apps) {
      // Async routes, and project middleware whose async dispatch/__call__ runs on every request.
      const entries = [
        ...data.routes
          .filter((r) => r.async)
          .map((r) => ({
            calls: r.calls,
            what: `async ${r.method} ${r.path} (${r.handler}, ${r.file}:${r.line})`,
          })),
        ...data.middleware
          .filter((m) => m.calls.length > 0)
          .map((m) => ({ calls: m.calls, what: `middleware ${m.name} (${m.file}:${m.line})` })),
      ];
      for (const route of entries) {
        asyncRoutes++;
        for (const call of route.calls) {
          if (call.awaited) continue;
          const hit = matchesAny(call.qualified, options.blocking);
          const io = hit ? undefined : matchesAny(call.qualified, options.fileIo);
          if (!hit && !io) continue;
          const chain = call.via.length > 0 ? ` via ${call.via.join(' → ')}()` : '';
          evidence.push({
            ...at(call),
            observed: call.qualified,
            expected: 'an awaited async call, or run_in_threadpool',
            status: hit ? 'fail' : 'warn',
            note: `in ${route.what}${chain}`,
          });
        }
      }
    }
    const fails = evidence.filter((e) => e.status === 'fail').length;
    const status = fails > 0 ? 'fail' : evidence.length > 0 ? 'warn' : 'pass';
    return guarded(apps, {
      status,
      message:
        status === 'pass'
          ? `no blocking call found in ${asyncRoutes} async route(s) and middleware and their helpers`
          : `${evidence.length} blocking call(s) inside async routes`,
      evidence,
      ...(status !== 'pass'
        ? {
            remediation: {
              summary:
                'Replace blocking calls in async routes with async clients, or run them in the thread pool',
              change:
                '# requests.get(url)          -> await http.get(url)   (http = httpx.AsyncClient(timeout=5.0))\n' +
                '# time.sleep(s)              -> await asyncio.sleep(s)\n' +
                '# sync_client.query(...)     -> await run_in_threadpool(sync_client.query, ...)\n' +
                '#                               (from starlette.concurrency import run_in_threadpool)\n' +
                '# or declare the route with plain `def` so FastAPI runs it in its thread pool',
              applies: 'redeploy' as const,
            },
          }
        : {}),
    });
  },
});
