// Every statement the collector sends, run against the ClickHouse embedded in chdb (26.x): proves
// the SQL against current system-table schemas, which no server on this machine has.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  columnsByTable,
  partsByTable,
  queryLogOf,
  settingsOf,
  tablesOf,
} from '../../src/collectors/clickhouse/assemble.js';
import { isReadOnlyStatement } from '../../src/collectors/clickhouse/client.js';
import { ClickHouseFactsSchema, TableSchema } from '../../src/collectors/clickhouse/schema.js';
import { auditQueries, capabilitiesOf, PROBE_SQL } from '../../src/collectors/clickhouse/sql.js';
import { columnsOf } from '../../src/facts/clickhouse.js';

const require = createRequire(import.meta.url);
interface ChdbSession {
  query(sql: string, format?: string): string;
  cleanup(): void;
}
const { Session } = require('chdb') as { Session: new (path: string) => ChdbSession };

let dir: string;
let session: ChdbSession;
const rows = (sql: string): Record<string, unknown>[] =>
  session
    .query(sql, 'JSONEachRow')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));

const SETUP = [
  'CREATE DATABASE app',
  'CREATE DATABASE odd',
  `CREATE TABLE app.events (risk_id UInt32, timestamp DateTime CODEC(Delta, ZSTD(1)), status LowCardinality(String),
     payload String CODEC(ZSTD(3)), INDEX status_idx status TYPE set(100) GRANULARITY 4)
   ENGINE = MergeTree PARTITION BY toYYYYMM(timestamp) ORDER BY (risk_id, timestamp) SAMPLE BY risk_id
   TTL timestamp + INTERVAL 90 DAY DELETE`,
  "INSERT INTO app.events SELECT number % 100, now() - number, 'open', 'x' FROM numbers(10000)",
  'CREATE TABLE app.logs (x UInt8) ENGINE = Log',
  'CREATE TABLE app.totals (day Date, risk_id UInt32, n UInt64) ENGINE = SummingMergeTree ORDER BY (day, risk_id)',
  'CREATE MATERIALIZED VIEW app.totals_mv TO app.totals AS SELECT toDate(timestamp) AS day, risk_id, count() AS n FROM app.events GROUP BY day, risk_id',
  "INSERT INTO app.events SELECT 1, now() - INTERVAL 40 DAY, 'new', 'y'",
];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'strisk-chdb-'));
  session = new Session(dir);
  for (const sql of SETUP) session.query(sql);
});
afterAll(() => {
  session?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('collector SQL on chdb (current ClickHouse)', () => {
  it('probes the capabilities of a current server', () => {
    const probe = rows(PROBE_SQL) as { table: string; name: string; version: string }[];
    const version = probe[0]!.version;
    expect(Number(version.split('.')[0])).toBeGreaterThanOrEqual(25);
    const caps = capabilitiesOf(probe, version);
    expect(caps).toMatchObject({
      serverSettings: true,
      compressionCodec: true,
      dataSkippingIndices: true,
      partsDefaultCodec: true,
      ttl: true,
    });
  });

  it('runs every audit statement and turns the rows into valid facts', () => {
    const probe = rows(PROBE_SQL) as { table: string; name: string; version: string }[];
    const caps = capabilitiesOf(probe, probe[0]!.version);
    const sql = auditQueries(caps, null, 24);
    for (const s of Object.values(sql)) expect(isReadOnlyStatement(s), s).toBe(true);

    const settings = settingsOf(rows(sql.settings));
    expect(Object.keys(settings.settings)).toEqual(
      expect.arrayContaining(['max_memory_usage', 'max_insert_threads', 'optimize_move_to_prewhere']),
    );
    expect(Object.keys(settings.serverSettings)).toEqual(
      expect.arrayContaining(['max_concurrent_queries', 'max_server_memory_usage']),
    );

    const columns = columnsByTable(rows(sql.columns), caps.compressionCodec);
    const parts = partsByTable(rows(sql.parts), caps.partsDefaultCodec);
    const tables = tablesOf(rows(sql.tables), columns, parts, caps.dataSkippingIndices);
    for (const t of tables) TableSchema.parse(t);
    const events = tables.find((t) => t.name === 'events')!;
    expect(events).toMatchObject({
      sortingKey: 'risk_id, timestamp',
      samplingKey: 'risk_id',
      partitionKey: 'toYYYYMM(timestamp)',
    });
    expect(events.ttl).toMatch(/timestamp \+ toIntervalDay\(90\)/);
    expect(events.skipIndices).toEqual([{ name: 'status_idx', type: 'set', expr: 'status' }]);
    const eventColumns = columnsOf(events)!;
    expect(eventColumns.find((c) => c.name === 'payload')!.codec).toBe('CODEC(ZSTD(3))');
    expect(eventColumns.find((c) => c.name === 'risk_id')).toMatchObject({
      codec: '',
      inPartitionKey: false,
    });
    expect(eventColumns.find((c) => c.name === 'timestamp')).toMatchObject({ inPartitionKey: true });
    expect(events.parts!.rows).toBe(10001);
    expect(events.parts!.partitions).toBeGreaterThanOrEqual(2);
    expect(events.parts!.defaultCodecs!.length).toBeGreaterThan(0);
    expect(tables.find((t) => t.name === 'logs')).toMatchObject({ engine: 'Log', parts: null });

    ClickHouseFactsSchema.parse({
      version: probe[0]!.version,
      capabilities: caps,
      role: null,
      databases: null,
      settings: settings.settings,
      serverSettings: settings.serverSettings,
      host: { memoryBytes: null, memoryFrom: null, cores: null, coresFrom: null },
      tables,
      queryLog: null,
      unread: {},
      queries: 6,
    });
  });

  it('reads column names, types and codecs that carry quotes, backslashes, commas and control characters', () => {
    session.query(
      "CREATE TABLE odd.t (`a'b` UInt8, `c\\\\d` UInt8 CODEC(ZSTD(1)), `g','h` UInt8, `nl\\nx` UInt8, `esc\\x1b[31m` UInt8, " +
        "`é😀` UInt8, e Enum8('x\\'y' = 1, 'a,b' = 2, 'q\\\\z' = 3)) ENGINE = MergeTree ORDER BY tuple()",
    );
    const probe = rows(PROBE_SQL) as { table: string; name: string; version: string }[];
    const caps = capabilitiesOf(probe, probe[0]!.version);
    const [row] = rows(auditQueries(caps, ['odd'], 24).columns);
    const columns = columnsByTable([row!], caps.compressionCodec).get('odd\u0000t')!;
    const [whole] = rows(
      "SELECT groupArray(name) AS n, groupArray(type) AS t, groupArray(compression_codec) AS c FROM system.columns WHERE database = 'odd'",
    );
    expect(columns.name).toEqual(whole!.n);
    expect(columns.name).toEqual(["a'b", 'c\\d', "g','h", 'nl\nx', 'esc\u001b[31m', 'é😀', 'e']);
    expect(columns.type).toEqual(whole!.t);
    expect(columns.type[6]).toBe("Enum8('x\\'y' = 1, 'a,b' = 2, 'q\\\\z' = 3)");
    expect(columns.codec).toEqual(whole!.c);
    expect(columns.codec![1]).toBe('CODEC(ZSTD(1))');
  });

  it('scopes the statements to the configured databases', () => {
    const probe = rows(PROBE_SQL) as { table: string; name: string; version: string }[];
    const caps = capabilitiesOf(probe, probe[0]!.version);
    const sql = auditQueries(caps, ['app', "it's"], 24);
    expect(
      rows(sql.tables)
        .map((r) => r.name)
        .sort(),
    ).toEqual(['events', 'logs', 'totals', 'totals_mv']);
    expect(rows(sql.columns).length).toBe(4);
  });

  // chdb keeps no query log (no system.query_log, whatever its config), so the two query-log
  // statements are checked by the server's own parser only: EXPLAIN SYNTAX, with the columns of a
  // current server (normalized_query_hash, query_kind, tables). Their columns are proven on 18.16.
  it('parses the query-log statements of a current server', () => {
    const probe = rows(PROBE_SQL) as { table: string; name: string; version: string }[];
    const caps = {
      ...capabilitiesOf(probe, probe[0]!.version),
      queryLog: true,
      queryLogTables: true,
      queryLogNormalizedHash: true,
      queryLogKind: true,
    };
    const sql = auditQueries(caps, null, 24);
    for (const s of [sql.queryLogSummary!, sql.queryLogGroups!]) {
      expect(() => session.query(`EXPLAIN SYNTAX ${s}`)).not.toThrow();
    }
    expect(queryLogOf(undefined, [], 24, 'normalized_query_hash', true).queries).toBe(0);
  });
});
