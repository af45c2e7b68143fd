import pg from 'pg';
import { describe, expect, it } from 'vitest';
import poolSaturation from '../../src/checks/pgbouncer/pool-saturation.js';
import poolSize from '../../src/checks/pgbouncer/pool-size.js';
import connectionHeadroom from '../../src/checks/postgres/connection-headroom.js';
import { collect } from '../../src/collectors/pgbouncer/index.js';
import { collect as collectPg } from '../../src/collectors/postgres/index.js';
import type { CheckDefinition } from '../../src/core/check.js';
import { runCheck } from '../../src/core/engine.js';
import { liveFacts } from '../support/fixtures.js';
import { requireService } from '../support/services.js';

const ctx = { timeoutMs: 3000, projectDir: '.' };
const def = (d: unknown) => d as CheckDefinition;

/** Eight sessions through a pool of five: three wait until the first ones end. */
function holdConnections(seconds: number): Promise<unknown> {
  const url = requireService('STRISK_TEST_PGBOUNCER_HELD');
  return Promise.allSettled(
    Array.from({ length: 8 }, async () => {
      const c = new pg.Client(url);
      c.on('error', () => {});
      await c.connect();
      await c.query(`select pg_sleep(${seconds})`);
      await c.end();
    }),
  );
}

describe('pgbouncer', () => {
  it('reads the admin console and judges pool size and saturation', async () => {
    const idle = await collect({ url: requireService('STRISK_TEST_PGBOUNCER') }, ctx);
    expect(idle.status, idle.message).toBe('ok');
    expect(idle.data!.config.default_pool_size).toBe('5');
    expect(idle.data!.databases.find((d) => d.name === 'app')).toMatchObject({
      host: '127.0.0.1',
      port: 15432,
      poolSize: 5,
    });
    expect(idle.data!.queries).toBe(5);
    expect(runCheck(def(poolSaturation), liveFacts({ pgbouncer: [idle] })).status).toBe('pass');
    const size = runCheck(def(poolSize), liveFacts({ pgbouncer: [idle] }));
    expect(size.status).toBe('fail');
    expect(size.evidence[0]).toMatchObject({ observed: 5, expected: '25' });

    const held = holdConnections(2);
    await new Promise((r) => setTimeout(r, 700));
    const busy = await collect({ url: requireService('STRISK_TEST_PGBOUNCER') }, ctx);
    await held;
    const pool = busy.data!.pools.find((p) => p.database === 'held')!;
    expect(pool.clWaiting).toBe(3);
    expect(pool.clActive).toBe(5);
    const r = runCheck(def(poolSaturation), liveFacts({ pgbouncer: [busy] }));
    expect(r.status).toBe('fail');
    expect(r.evidence[0]).toMatchObject({
      subject: 'postgres://postgres@127.0.0.1:16432/pgbouncer held/postgres',
      observed: 3,
    });
  }, 20_000);

  it('connection-headroom counts PgBouncer pools in front of the server', async () => {
    const [bouncer, good] = await Promise.all([
      collect({ url: requireService('STRISK_TEST_PGBOUNCER') }, ctx),
      collectPg({ url: requireService('STRISK_TEST_PG_GOOD') }, ctx),
    ]);
    const r = runCheck(def(connectionHeadroom), liveFacts({ postgres: [good], pgbouncer: [bouncer] }));
    expect(r.status).toBe('pass');
    expect(r.message).toContain('(via PgBouncer)');
    expect(r.evidence[0]?.note).toContain('app: (pool_size 5 + reserve 0)');
    const sized = runCheck(def(poolSize), liveFacts({ postgres: [good], pgbouncer: [bouncer] }));
    expect(
      sized.evidence.some(
        (e) => e.subject.includes('→ postgres://auditor:***@127.0.0.1:15432/app') && e.status === 'pass',
      ),
    ).toBe(true);
  });

  it('failures: closed port, a user outside admin_users/stats_users', async () => {
    expect((await collect({ url: 'postgres://postgres@127.0.0.1:16439/pgbouncer' }, ctx)).status).toBe(
      'unreachable',
    );
    const t = await collect({ url: 'postgres://nobody@127.0.0.1:16432/pgbouncer' }, ctx);
    expect(t.status).not.toBe('ok');
  });
});
