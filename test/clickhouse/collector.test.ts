// The ClickHouse collector against the real 18.16 test server: facts, a fixed number of queries,
// failures as results, read-only proof and untrusted names.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLICKHOUSE_CHECKS } from '../../src/checks/clickhouse/index.js';
import { columnsByTable, partsByTable, tablesOf } from '../../src/collectors/clickhouse/assemble.js';
import {
  isReadOnlyStatement,
  parseEndpoint,
  ReadOnlyClickHouse,
} from '../../src/collectors/clickhouse/client.js';
import { collect } from '../../src/collectors/clickhouse/index.js';
import { ClickHouseFactsSchema } from '../../src/collectors/clickhouse/schema.js';
import { auditQueries, capabilitiesOf, PROBE_SQL } from '../../src/collectors/clickhouse/sql.js';
import { conformsTo } from '../../src/collectors/conforms.js';
import { runCheck } from '../../src/core/engine.js';
import { liveFacts } from '../support/fixtures.js';
import { requireService } from '../support/services.js';

const ctx = { timeoutMs: 10_000, projectDir: '.' };
const auditor = () => requireService('STRISK_TEST_CLICKHOUSE_AUDITOR');

/** Runs SQL as the test server's default user (it may write). */
async function admin(sql: string): Promise<string> {
  const u = new URL(requireService('STRISK_TEST_CLICKHOUSE'));
  const res = await fetch(`${u.protocol}//${u.host}/?user=default`, { method: 'POST', body: sql });
  const text = await res.text();
  if (!res.ok) throw new Error(`${sql}: ${text}`);
  return text;
}

const EVIL = 'evil <b>&amp; *bold* [x](y) | `tick` \u001b[31mred';

beforeAll(async () => {
  await admin('CREATE DATABASE IF NOT EXISTS untrusted');
  await admin(
    `DROP TABLE IF EXISTS untrusted.\`${EVIL.replace(/\\/g, '\\\\')
      .replace(/`/g, '\\`')
      .replace(/\u001b/g, '\\x1b')}\``,
  );
  await admin(
    `CREATE TABLE untrusted.\`${EVIL.replace(/`/g, '\\`').replace(/\u001b/g, '\\x1b')}\` (id UInt64, d Date) ENGINE = MergeTree PARTITION BY toYYYYMM(d) ORDER BY id`,
  );
});

describe('clickhouse collector', () => {
  it('reads an 18.16 server as a readonly=1 user and says what the server lacks', async () => {
    const t = await collect({ url: auditor() }, ctx);
    expect(t.status, t.message).toBe('ok');
    expect(t.target).toBe('http://auditor:***@127.0.0.1:18123');
    const d = ClickHouseFactsSchema.parse(t.data);
    // The facts are what the schema gives back, so the collector checked them in place.
    expect(conformsTo(ClickHouseFactsSchema, t.data)).toBe(true);
    expect(d).toEqual(t.data);
    expect(d.version).toMatch(/^18\.16\./);
    expect(d.capabilities).toMatchObject({
      serverSettings: false,
      compressionCodec: false,
      dataSkippingIndices: false,
      queryLog: true,
      queryLogTables: false,
      ttl: false,
    });
    expect(d.settings?.readonly?.value).toBe('1');
    expect(d.settings?.max_memory_usage?.value).toBe('1000000000');
    expect(d.settings?.max_insert_threads).toBeUndefined();
    expect(d.serverSettings).toBeNull();
    expect(d.host.cores).toBeGreaterThan(0);
    expect(d.unread).toEqual({});
    const events = d.tables!.find((x) => x.database === 'app' && x.name === 'events')!;
    expect(events).toMatchObject({
      engine: 'MergeTree',
      sortingKey: 'risk_id, timestamp, status',
      samplingKey: 'risk_id',
      partitionKey: 'toYYYYMM(timestamp)',
    });
    expect(events.parts!.rows).toBeGreaterThanOrEqual(200_000);
    expect(events.columns!.name).toEqual(['risk_id', 'timestamp', 'status', 'amount']);
    expect(d.tables!.find((x) => x.name === 'many_parts')!.parts!.maxPerPartition).toBeGreaterThanOrEqual(
      300,
    );
    expect(d.queryLog!.groupedBy).toBe('prefix');
    expect(d.queryLog!.selectStar).toBeGreaterThan(0);
    expect(d.queryLog!.groups.some((g) => g.maxMs >= 700 && /sleep/.test(g.sample))).toBe(true);
    // strisk's own queries stay out of the figures.
    expect(d.queryLog!.groups.some((g) => g.sample.includes('system.'))).toBe(false);
  });

  it('sends the same small number of queries whatever the number of tables', async () => {
    const one = await collect({ url: auditor(), databases: ['ok'] }, ctx);
    const every = await collect({ url: auditor() }, ctx);
    expect(one.data!.tables!.length).toBe(1);
    expect(every.data!.tables!.length).toBeGreaterThan(10);
    // probe, settings, tables, columns, parts, query-log summary, query-log groups
    expect(one.data!.queries).toBe(7);
    expect(every.data!.queries).toBe(7);
  });

  it('builds, row by row as the answers arrive, the tables that the whole answers give', async () => {
    const t = await collect({ url: auditor() }, ctx);
    expect(t.status, t.message).toBe('ok');
    const client = new ReadOnlyClickHouse(parseEndpoint(auditor()), 10_000, '.');
    try {
      const probe = await client.select<{ table: string; name: string; version: string }>(PROBE_SQL);
      const caps = capabilitiesOf(probe, probe[0]!.version);
      const sql = auditQueries(caps, null, 24);
      const whole = tablesOf(
        await client.select(sql.tables),
        columnsByTable(await client.select(sql.columns), caps.compressionCodec),
        partsByTable(await client.select(sql.parts), caps.partsDefaultCodec),
        caps.dataSkippingIndices,
      );
      // The same tables, in the same order, with the same keys in the same order.
      expect(JSON.stringify(t.data!.tables)).toBe(JSON.stringify(whole));
      const events = t.data!.tables!.find((x) => x.database === 'app' && x.name === 'events')!;
      expect(events.columns).toEqual({
        name: ['risk_id', 'timestamp', 'status', 'amount'],
        type: expect.any(Array),
        bytes: expect.any(Array),
        compressedBytes: expect.any(Array),
        codec: null,
        partitionKey: ['timestamp'],
      });
    } finally {
      await client.close();
    }
  });

  it('reads column names and types that carry quotes, backslashes, commas and control characters', async () => {
    await admin('DROP TABLE IF EXISTS untrusted_columns.t');
    await admin('CREATE DATABASE IF NOT EXISTS untrusted_columns');
    await admin(
      "CREATE TABLE untrusted_columns.t (`a'b` UInt8, `c\\\\d` UInt8, `e,f` UInt8, `g','h` UInt8, `nl\\nx` UInt8, " +
        "`tab\\tx` UInt8, `esc\\x1b[31m` UInt8, `é😀` UInt8, `[x]` UInt8, `''` UInt8, " +
        "e Enum8('x\\'y' = 1, 'a,b' = 2, 'q\\\\z' = 3), d Date) ENGINE = MergeTree PARTITION BY d ORDER BY d",
    );
    // Gone before the other tests audit every database.
    const t = await collect({ url: auditor(), databases: ['untrusted_columns'] }, ctx).finally(() =>
      admin('DROP DATABASE untrusted_columns'),
    );
    expect(t.status, t.message).toBe('ok');
    const names = [
      "a'b",
      'c\\d',
      'e,f',
      "g','h",
      'nl\nx',
      'tab\tx',
      'esc\u001b[31m',
      'é😀',
      '[x]',
      "''",
      'e',
      'd',
    ];
    expect(t.data!.tables![0]!.columns).toEqual({
      name: names,
      type: [...names.slice(0, 10).map(() => 'UInt8'), "Enum8('x\\'y' = 1, 'a,b' = 2, 'q\\\\z' = 3)", 'Date'],
      bytes: names.map(() => 0),
      compressedBytes: names.map(() => 0),
      codec: null,
      partitionKey: ['d'],
    });
  });

  it('keeps untrusted table names verbatim', async () => {
    const t = await collect({ url: auditor(), databases: ['untrusted'] }, ctx);
    expect(t.data!.tables!.map((x) => x.name)).toEqual([EVIL]);
    const r = runCheck(
      CLICKHOUSE_CHECKS.find((c) => c.id === 'clickhouse/order-by')!,
      liveFacts({ clickhouse: [t] }),
    );
    expect(r.status).toBe('pass');
    // Scoping to a database named with a quote is escaped, not injected.
    const quoted = await collect({ url: auditor(), databases: ["it's", 'untrusted'] }, ctx);
    expect(quoted.status, quoted.message).toBe('ok');
    expect(quoted.data!.tables!.length).toBe(1);
  });

  it('sent only reads: every query of the audit user in the query log', async () => {
    const t = await collect({ url: auditor() }, ctx);
    expect(t.status).toBe('ok');
    await admin('SYSTEM FLUSH LOGS');
    const rows = (
      await admin(
        "SELECT DISTINCT query_id, query FROM system.query_log WHERE user = 'auditor' FORMAT JSONEachRow",
      )
    )
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { query_id: string; query: string });
    expect(rows.length).toBeGreaterThanOrEqual(7);
    for (const r of rows) {
      expect(r.query_id.startsWith('strisk-'), r.query).toBe(true);
      expect(isReadOnlyStatement(r.query), r.query).toBe(true);
      expect(r.query).toMatch(/^SELECT /);
    }
  });

  it('refuses to send anything but reads', () => {
    for (const ok of [
      'SELECT 1',
      'select * from system.tables',
      'SHOW TABLES',
      'EXISTS TABLE t',
      'DESCRIBE TABLE t',
      'WITH 1 AS x SELECT x',
    ]) {
      expect(isReadOnlyStatement(ok), ok).toBe(true);
    }
    for (const bad of [
      'INSERT INTO t VALUES (1)',
      'DROP TABLE t',
      'SELECT 1; DROP TABLE t',
      'ALTER TABLE t DELETE WHERE 1',
      'SYSTEM FLUSH LOGS',
      "SELECT * FROM url('http://x', CSV, 'a String')",
      "SELECT 1 INTO OUTFILE '/tmp/x'",
      'OPTIMIZE TABLE t',
    ]) {
      expect(isReadOnlyStatement(bad), bad).toBe(false);
    }
    expect(isReadOnlyStatement("SELECT 'a; DROP TABLE t'")).toBe(true);
  });
});

describe('clickhouse collector failures', () => {
  let silent: ReturnType<typeof createTcpServer>;
  let proxy: Server;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    silent = createTcpServer((s) => sockets.push(s)); // accepts, never answers
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    // Forwards to the real server, but refuses system.query_log as a server without the grant would.
    const upstream = new URL(requireService('STRISK_TEST_CLICKHOUSE'));
    proxy = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        if (body.toString().includes('system.query_log')) {
          res.writeHead(500, { 'X-ClickHouse-Exception-Code': '497' });
          res.end(
            "Code: 497. DB::Exception: auditor: Not enough privileges. To execute this query, it's necessary to have the grant SELECT(query) ON system.query_log. (ACCESS_DENIED) (version 24.3.1.1)\n",
          );
          return;
        }
        const up = request(
          {
            host: upstream.hostname,
            port: upstream.port,
            method: req.method,
            path: req.url,
            headers: req.headers,
          },
          (r) => {
            res.writeHead(r.statusCode ?? 502, r.headers);
            r.pipe(res);
          },
        );
        up.end(body);
      });
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    silent.close();
    await new Promise((r) => proxy.close(r));
  });

  it('reports a closed port as unreachable', async () => {
    const t = await collect({ url: 'http://127.0.0.1:1' }, { timeoutMs: 3000, projectDir: '.' });
    expect(t.status).toBe('unreachable');
    expect(t.message).toMatch(/127\.0\.0\.1:1/);
  });

  it('reports a wrong password as auth-failed, without the password', async () => {
    const u = new URL(auditor());
    u.password = 'wrong-password-123';
    const t = await collect({ url: u.toString() }, ctx);
    expect(t.status).toBe('auth-failed');
    expect(t.message).not.toContain('wrong-password-123');
    expect(t.target).not.toContain('wrong-password-123');
  });

  it('reports a server that never answers as a timeout, within the deadline', async () => {
    const { port } = silent.address() as AddressInfo;
    const started = performance.now();
    const t = await collect({ url: `http://127.0.0.1:${port}` }, { timeoutMs: 800, projectDir: '.' });
    expect(t.status).toBe('timeout');
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('records a forbidden system table and errors only the checks that need it', async () => {
    const { port } = proxy.address() as AddressInfo;
    const t = await collect({ url: `http://auditor:auditor-pw@127.0.0.1:${port}` }, ctx);
    expect(t.status, t.message).toBe('ok');
    expect(t.data!.unread.queryLog?.status).toBe('forbidden');
    expect(t.data!.queryLog).toBeNull();
    expect(t.data!.tables!.length).toBeGreaterThan(0);
    const facts = liveFacts({ clickhouse: [t] });
    const status = (id: string) =>
      runCheck(CLICKHOUSE_CHECKS.find((c) => c.id === `clickhouse/${id}`)!, facts);
    for (const id of ['select-star', 'query-time', 'slow-queries', 'full-scans']) {
      expect(status(id).status, id).toBe('error');
      expect(status(id).message).toMatch(/system\.query_log could not be read.*forbidden/);
    }
    expect(status('table-engine').status).toBe('fail');
    expect(status('prewhere').status).toBe('pass');
  });

  it('rejects a target with bad options or a bad URL as invalid', async () => {
    expect((await collect({ url: auditor(), role: 'leader' }, ctx)).status).toBe('invalid');
    expect((await collect({ url: 'redis://127.0.0.1:1' }, ctx)).status).toBe('invalid');
  });
});
