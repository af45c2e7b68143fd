import net from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  parseRedisUrl,
  READ_COMMANDS,
  ReadOnlyRedis,
  RefusedCommandError,
} from '../../src/collectors/redis/client.js';
import { collect } from '../../src/collectors/redis/index.js';
import { RedisFactsSchema } from '../../src/collectors/redis/schema.js';
import { SocketBounds } from '../../src/collectors/socket-bounds.js';
import { requireService } from '../support/services.js';

const ctx = { timeoutMs: 3000, projectDir: '.' };
const GOOD = requireService('STRISK_TEST_REDIS_GOOD');
const BAD = requireService('STRISK_TEST_REDIS_BAD');
const ACL = requireService('STRISK_TEST_REDIS_ACL');
const CLUSTER = requireService('STRISK_TEST_REDIS_CLUSTER');

async function ok(url: string, extra: Record<string, unknown> = {}) {
  const t = await collect({ url, ...extra }, ctx);
  expect(t.status, t.message).toBe('ok');
  return RedisFactsSchema.parse(t.data);
}

describe('redis collector on real servers', () => {
  it('reads the good server', async () => {
    const facts = await ok(GOOD);
    expect(facts.mode).toBe('standalone');
    const [node] = facts.nodes;
    expect(node?.config).toMatchObject({
      source: 'config',
      maxmemoryBytes: 64 * 1024 ** 2,
      maxmemoryPolicy: 'allkeys-lru',
      appendonly: true,
      appendfsync: 'everysec',
    });
    expect(node?.stats.keyspaceHits).toBeGreaterThanOrEqual(9000);
    expect(node?.stats.keyspaceMisses).toBeGreaterThanOrEqual(1000);
    const session = node?.sampling.patterns.find((p) => p.pattern === 'session:*');
    expect(session).toMatchObject({ kind: 'session', sampled: 1000, noTtl: 0, stoppedBy: 'sample-size' });
    expect(session?.ttlSeconds?.max).toBeLessThanOrEqual(3600);
    expect(session?.buckets.reduce((n, b) => n + b.count, 0)).toBe(1000);
    expect(node?.keyspace[0]).toMatchObject({ db: 0 });
  });

  it('reads the bad server, with the db index from the URL', async () => {
    const [node] = (await ok(BAD)).nodes;
    expect(node?.db).toBe(0);
    expect(node?.config).toMatchObject({
      maxmemoryBytes: 0,
      maxmemoryPolicy: 'noeviction',
      appendonly: false,
    });
    const session = node?.sampling.patterns.find((p) => p.pattern === 'session:*');
    expect(session?.noTtl).toBe(session?.sampled);
    expect(session?.ttlSeconds).toBeNull();
    const sess = node?.sampling.patterns.find((p) => p.pattern === 'sess:*');
    expect(sess).toMatchObject({ sampled: 200, complete: true, stoppedBy: 'complete' });
  });

  it('honours configured key patterns, sample size and bounds', async () => {
    const [node] = (
      await ok(GOOD, {
        keyPatterns: [{ pattern: 'cache:*', kind: 'computed', maxTtlSeconds: 300 }],
        sampleSize: 50,
      })
    ).nodes;
    expect(node?.sampling.patterns).toHaveLength(1);
    const p = node?.sampling.patterns[0];
    expect(p).toMatchObject({ pattern: 'cache:*', sampled: 50, maxTtlSeconds: 300 });
    expect(p?.overMaxTtl).toBeGreaterThan(0);
  });

  it('falls back to INFO when the ACL refuses CONFIG, and says so', async () => {
    const t = await collect({ url: ACL }, ctx);
    expect(t.status).toBe('ok');
    expect(t.target).toBe('redis://auditor:***@127.0.0.1:16392');
    expect(JSON.stringify(t)).not.toContain(new URL(ACL).password);
    const [node] = RedisFactsSchema.parse(t.data).nodes;
    expect(node?.config).toMatchObject({
      source: 'info',
      maxmemoryBytes: 64 * 1024 ** 2,
      maxmemoryPolicy: 'allkeys-lru',
      appendonly: true,
      appendfsync: null,
    });
    expect(node?.config.reason).toMatch(/NOPERM/);
  });

  it('audits every master of a cluster', async () => {
    const facts = await ok(CLUSTER);
    expect(facts.mode).toBe('cluster');
    expect(facts.nodes.map((n) => n.address)).toEqual([
      '127.0.0.1:16393',
      '127.0.0.1:16394',
      '127.0.0.1:16395',
    ]);
    const sessions = facts.nodes.map(
      (n) => n.sampling.patterns.find((p) => p.pattern === 'session:*')?.sampled ?? 0,
    );
    expect(sessions.reduce((a, b) => a + b, 0)).toBe(30);
  });
});

describe('redis collector failures are results', () => {
  const servers: net.Server[] = [];
  const listen = async (onConn: (s: net.Socket) => void) => {
    const srv = net.createServer(onConn);
    servers.push(srv);
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    return (srv.address() as net.AddressInfo).port;
  };
  afterAll(() => {
    for (const s of servers) s.close();
  });

  it('a closed port is unreachable', async () => {
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as net.AddressInfo).port;
    await new Promise((r) => srv.close(r));
    const t = await collect({ url: `redis://127.0.0.1:${port}` }, ctx);
    expect(t).toMatchObject({ status: 'unreachable', target: `redis://127.0.0.1:${port}` });
    expect(t.message).toMatch(/ECONNREFUSED/);
  });

  it('a wrong password is auth-failed, and the password stays out of the facts', async () => {
    const url = ACL.replace(/:[^:@/]+@/, ':wrong-secret@');
    const t = await collect({ url }, ctx);
    expect(t.status).toBe('auth-failed');
    expect(t.message).toMatch(/WRONGPASS/);
    expect(JSON.stringify(t)).not.toContain('wrong-secret');
  });

  it('no password where one is required is auth-failed', async () => {
    const t = await collect({ url: 'redis://127.0.0.1:16392' }, ctx);
    expect(t).toMatchObject({ status: 'auth-failed' });
    expect(t.message).toMatch(/NOAUTH/);
  });

  it('a port that accepts and never answers times out within the deadline', async () => {
    const port = await listen(() => {});
    for (const url of [`redis://127.0.0.1:${port}`, `redis://user:pw@127.0.0.1:${port}`]) {
      const started = performance.now();
      const t = await collect({ url }, { timeoutMs: 400, projectDir: '.' });
      const took = performance.now() - started;
      expect(t.status).toBe('timeout');
      expect(took).toBeGreaterThanOrEqual(350);
      expect(took).toBeLessThan(900);
    }
  });

  it('a server still loading its dataset is an error with the cause', async () => {
    const port = await listen((s) =>
      s.on('data', () => s.write('-LOADING Redis is loading the dataset in memory\r\n')),
    );
    const t = await collect({ url: `redis://127.0.0.1:${port}` }, ctx);
    expect(t.status).toBe('error');
    expect(t.message).toMatch(/LOADING/);
  });

  it('bad URLs and options are invalid', async () => {
    expect((await collect({ url: 'http://127.0.0.1:6379' }, ctx)).status).toBe('invalid');
    expect((await collect({ url: 'redis://127.0.0.1:6379/x' }, ctx)).status).toBe('invalid');
    expect((await collect({ url: GOOD, sampleSize: -1 }, ctx)).status).toBe('invalid');
  });

  it('reads rediss:// as TLS and the user, password and db from the URL', () => {
    expect(parseRedisUrl('rediss://u%40x:p%3Aw@cache.example:6380/3')).toEqual({
      host: 'cache.example',
      port: 6380,
      username: 'u@x',
      password: 'p:w',
      db: 3,
      tls: { servername: 'cache.example' },
    });
  });
});

describe('redis collector is read-only', () => {
  let admin: Redis;
  // The bad server: nothing else writes to it (no keeper), so any write would show.
  beforeAll(() => {
    admin = new Redis(BAD, { disableClientInfo: true, protocol: 2, enableReadyCheck: false });
  });
  afterAll(() => admin.disconnect());

  async function commandstats(): Promise<Map<string, number>> {
    const text = String(await admin.call('info', 'commandstats'));
    const out = new Map<string, number>();
    for (const m of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) out.set(m[1]!, Number(m[2]));
    return out;
  }

  it('runs only read commands (INFO commandstats before and after)', async () => {
    const before = await commandstats();
    await ok(BAD);
    const after = await commandstats();
    const increased = [...after].filter(([cmd, n]) => n > (before.get(cmd) ?? 0)).map(([cmd]) => cmd);
    // The handshake ioredis makes (AUTH, HELLO, SELECT) is read-only; INFO is also the stats call itself.
    const allowed = new Set([...READ_COMMANDS, 'auth', 'hello', 'select']);
    expect(increased.filter((c) => !allowed.has(c))).toEqual([]);
    expect(increased).toEqual(expect.arrayContaining(['scan', 'pttl', 'config|get']));
  });

  it('refuses a write before it reaches the server', async () => {
    const client = new ReadOnlyRedis(
      parseRedisUrl(BAD),
      new SocketBounds(1000, new AbortController().signal),
    );
    try {
      await client.connect();
      const before = (await commandstats()).get('set') ?? 0;
      await expect(client.call(['set', 'strisk:probe', '1'])).rejects.toBeInstanceOf(RefusedCommandError);
      await expect(
        client.batch([
          ['pttl', 'a'],
          ['del', 'a'],
        ]),
      ).rejects.toBeInstanceOf(RefusedCommandError);
      await expect(client.call(['config', 'set', 'maxmemory', '1'])).rejects.toBeInstanceOf(
        RefusedCommandError,
      );
      expect((await commandstats()).get('set') ?? 0).toBe(before);
    } finally {
      client.close();
    }
  });
});
