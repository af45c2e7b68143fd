// The SQL the collector sends, built from the capabilities the probe found. Exported so a test can
// run every statement against a current ClickHouse (chdb) as well as the 18.16 test server.
// ClickHouse 18.16 understands no query parameters, so literals are escaped here, and only values
// strisk controls (names from the config, numbers) ever reach a statement.
import type { Capabilities } from './schema.js';

/**
 * Upper edges of the query log's duration histogram, in ms: `over[i]` counts queries slower than
 * `edges[i]`. Here rather than beside the facts' schemas, so that reading the setting names below
 * (the declarative checks do, on every run) does not build the ClickHouse schemas.
 */
export const DURATION_EDGES_MS = [10, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 30_000] as const;

/** A ClickHouse string literal: backslash and quote escaped, control characters as escapes. */
export function sqlString(value: string): string {
  const escaped = value.replace(/[\\'\u0000-\u001f]/g, (c) => {
    if (c === '\\') return '\\\\';
    if (c === "'") return "\\'";
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
  return `'${escaped}'`;
}

/** A backquoted identifier, for remediation SQL shown to the user. */
export function sqlIdent(name: string): string {
  return `\`${name.replace(/[\\`]/g, (c) => `\\${c}`)}\``;
}

export const sqlTable = (database: string, table: string): string =>
  `${sqlIdent(database)}.${sqlIdent(table)}`;

const list = (values: readonly string[]): string => values.map(sqlString).join(', ');

const SYSTEM_DATABASES = ['system', 'INFORMATION_SCHEMA', 'information_schema'];

/** `database IN (...)` for the configured databases, else every database but the system ones. */
export function databaseFilter(databases: readonly string[] | null, column = 'database'): string {
  return databases && databases.length > 0
    ? `${column} IN (${list(databases)})`
    : `${column} NOT IN (${list(SYSTEM_DATABASES)})`;
}

/** The system tables whose columns the probe lists. */
export const PROBED_TABLES = [
  'tables',
  'columns',
  'parts',
  'settings',
  'query_log',
  'server_settings',
  'data_skipping_indices',
  'asynchronous_metrics',
] as const;

/** Query 1: which system tables and columns exist, and the version. */
export const PROBE_SQL =
  `SELECT table, name, version() AS version FROM system.columns WHERE database = 'system' AND table IN (${list(PROBED_TABLES)})` +
  ` UNION ALL SELECT '' AS table, '' AS name, version() AS version`;

/** Version as [major, minor]; 0s when it cannot be read. */
export function versionParts(version: string): [number, number] {
  const m = /^(\d+)\.(\d+)/.exec(version);
  return m ? [Number(m[1]), Number(m[2])] : [0, 0];
}

/** Capabilities from the probe's rows (`table`, `name`). */
export function capabilitiesOf(
  rows: readonly { table: string; name: string }[],
  version: string,
): Capabilities {
  const has = (table: string, column?: string) =>
    rows.some((r) => r.table === table && (column === undefined || r.name === column));
  const [major, minor] = versionParts(version);
  return {
    serverSettings: has('server_settings', 'changed'),
    compressionCodec: has('columns', 'compression_codec'),
    dataSkippingIndices: has('data_skipping_indices', 'expr'),
    queryLog: has('query_log', 'query_duration_ms'),
    queryLogTables: has('query_log', 'tables'),
    queryLogNormalizedHash: has('query_log', 'normalized_query_hash'),
    queryLogKind: has('query_log', 'query_kind'),
    asynchronousMetrics: has('asynchronous_metrics', 'metric'),
    partsDefaultCodec: has('parts', 'default_compression_codec'),
    ttl: major > 19 || (major === 19 && minor >= 6),
  };
}

/** Session settings the checks read (the audit user's profile). */
export const SESSION_SETTINGS = [
  'max_memory_usage',
  'max_insert_threads',
  'max_threads',
  'optimize_move_to_prewhere',
  'readonly',
  'log_queries',
  'max_concurrent_queries_for_user',
] as const;

/** Server settings, where `system.server_settings` exists. */
export const SERVER_SETTINGS = [
  'max_concurrent_queries',
  'max_server_memory_usage',
  'max_server_memory_usage_to_ram_ratio',
] as const;

/** Host size as the server measures it (absent on old servers). */
export const HOST_METRICS = [
  'OSMemoryTotal',
  'CGroupMemoryTotal',
  'CGroupMaxCPU',
  'NumberOfPhysicalCores',
  'NumberOfLogicalCores',
] as const;

/** Query 2: session settings, server settings and host metrics in one. */
export function settingsSql(caps: Capabilities): string {
  const parts = [
    `SELECT 'session' AS scope, toString(name) AS name, toString(value) AS value, toUInt8(changed) AS changed FROM system.settings WHERE name IN (${list(SESSION_SETTINGS)})`,
  ];
  if (caps.serverSettings) {
    parts.push(
      `SELECT 'server' AS scope, toString(name) AS name, toString(value) AS value, toUInt8(changed) AS changed FROM system.server_settings WHERE name IN (${list(SERVER_SETTINGS)})`,
    );
  }
  if (caps.asynchronousMetrics) {
    parts.push(
      `SELECT 'metric' AS scope, toString(metric) AS name, toString(value) AS value, toUInt8(0) AS changed FROM system.asynchronous_metrics WHERE metric IN (${list(HOST_METRICS)})`,
    );
  }
  return parts.join(' UNION ALL ');
}

/** Query 3: tables with engines and keys (and skipping indices where the server lists them). */
export function tablesSql(caps: Capabilities, databases: readonly string[] | null): string {
  // Only what the checks read; engine_full (for the TTL) only where a table can have one.
  const cols =
    't.database AS database, t.name AS name, t.engine AS engine, ' +
    't.partition_key AS partition_key, t.sorting_key AS sorting_key, t.sampling_key AS sampling_key' +
    (caps.ttl ? ', t.engine_full AS engine_full' : '');
  const where = `${databaseFilter(databases, 't.database')} AND NOT t.is_temporary`;
  if (!caps.dataSkippingIndices) return `SELECT ${cols} FROM system.tables AS t WHERE ${where}`;
  const indices =
    'SELECT database AS idx_database, table AS idx_table, groupArray(name) AS index_names, groupArray(type) AS index_types, ' +
    `groupArray(expr) AS index_exprs FROM system.data_skipping_indices WHERE ${databaseFilter(databases)} GROUP BY database, table`;
  return (
    `SELECT ${cols}, i.index_names AS index_names, i.index_types AS index_types, i.index_exprs AS index_exprs ` +
    `FROM system.tables AS t LEFT JOIN (${indices}) AS i ON t.database = i.idx_database AND t.name = i.idx_table WHERE ${where}`
  );
}

/** Query 4: columns, one row per table with parallel arrays. */
export function columnsSql(caps: Capabilities, databases: readonly string[] | null): string {
  // Names, types and codecs come as the text of their array (`['id','ts']`, `stringsOfArrayText`
  // in assemble.ts): one JSON string per table rather than one per column halves the parse of
  // 200,000 columns, and a list that repeats an earlier table's is split only once.
  const codec = caps.compressionCodec ? ', toString(groupArray(compression_codec)) AS codecs' : '';
  return (
    'SELECT database, table, toString(groupArray(name)) AS names, toString(groupArray(type)) AS types, ' +
    // Float64 (exact to 2^53 bytes): 64-bit integers come back as quoted strings, 400,000 of
    // them at 10,000 tables of 20 columns.
    'groupArray(toFloat64(data_uncompressed_bytes)) AS bytes, groupArray(toFloat64(data_compressed_bytes)) AS compressed, ' +
    'groupArrayIf(name, is_in_partition_key = 1) AS partition_columns' +
    `${codec} FROM system.columns WHERE ${databaseFilter(databases)} GROUP BY database, table`
  );
}

/** Query 5: active parts per table, with the worst partition. */
export function partsSql(caps: Capabilities, databases: readonly string[] | null): string {
  const inner = caps.partsDefaultCodec ? ', groupUniqArray(default_compression_codec) AS codecs' : '';
  const outer = caps.partsDefaultCodec ? ', groupUniqArrayArray(codecs) AS default_codecs' : '';
  return (
    'SELECT database, table, sum(p) AS active, count() AS partitions, max(p) AS max_per_partition, ' +
    'argMax(partition, p) AS worst_partition, sum(r) AS total_rows, sum(b) AS bytes_on_disk, sum(u) AS uncompressed_bytes' +
    `${outer} FROM (SELECT database, table, partition, count() AS p, sum(rows) AS r, sum(bytes_on_disk) AS b, ` +
    `sum(data_uncompressed_bytes) AS u${inner} FROM system.parts WHERE active AND ${databaseFilter(databases)} ` +
    'GROUP BY database, table, partition) GROUP BY database, table'
  );
}

/** Query ids the audit sends start with this, so its own queries stay out of the query log figures. */
export const QUERY_ID_PREFIX = 'strisk-';

// Regular expressions inside string literals: sqlString doubles the backslashes. Older servers take
// a literal substring of the pattern as a case-sensitive prefilter, ignoring `(?i)`, and know no
// `\\b`: so letters are spelled as classes ([Ss][Ee]...).
const anyCase = (word: string): string =>
  [...word].map((c) => (/[a-z]/i.test(c) ? `[${c.toUpperCase()}${c.toLowerCase()}]` : c)).join('');
const SELECT_RE = `^\\s*(${anyCase('select')}|${anyCase('with')})\\s`;
const SELECT_STAR_RE = `(^|[^\\w])${anyCase('select')}\\s+(${anyCase('distinct')}\\s+)?([\\w\`"]+\\.)?\\*`;

function isSelectExpr(caps: Capabilities): string {
  return caps.queryLogKind ? "query_kind = 'Select'" : `match(query, ${sqlString(SELECT_RE)})`;
}
const selectStarExpr = (): string => `match(query, ${sqlString(SELECT_STAR_RE)})`;

/** Finished queries of the window, without strisk's own and without queries of system tables. */
export function queryLogWhere(windowHours: number): string {
  const seconds = Math.max(1, Math.round(windowHours * 3600));
  return (
    // \`type\` is a UInt8 (2 = finished) on 18.16 and an Enum8 on current servers.
    `toString(type) IN ('QueryFinish', '2') AND event_date >= toDate(now() - toIntervalSecond(${seconds})) ` +
    `AND event_time >= now() - toIntervalSecond(${seconds}) AND is_initial_query ` +
    `AND query_id NOT LIKE ${sqlString(`${QUERY_ID_PREFIX}%`)} AND positionCaseInsensitive(query, 'system.') = 0`
  );
}

/** Query 6: one row of aggregates over the window. */
export function queryLogSummarySql(caps: Capabilities, windowHours: number): string {
  const over = DURATION_EDGES_MS.map((ms) => `countIf(query_duration_ms > ${ms}) AS over_${ms}`).join(', ');
  return (
    `SELECT count() AS queries, countIf(${isSelectExpr(caps)}) AS selects, ` +
    `countIf(${isSelectExpr(caps)} AND ${selectStarExpr()}) AS select_star, ` +
    'avg(query_duration_ms) AS mean_ms, quantile(0.95)(query_duration_ms) AS p95_ms, max(query_duration_ms) AS max_ms, ' +
    `toString(min(event_time)) AS first_time, toString(max(event_time)) AS last_time, ${over} ` +
    `FROM system.query_log WHERE ${queryLogWhere(windowHours)}`
  );
}

/** How queries are grouped: the server's normalized hash, else the first 200 characters with numbers masked. */
export function groupKey(caps: Capabilities): string {
  return caps.queryLogNormalizedHash
    ? 'normalized_query_hash'
    : `substring(replaceRegexpAll(query, ${sqlString('\\d+')}, '?'), 1, 200)`;
}

/** Query 7: the 50 slowest groups and the 50 reading the most rows. */
export function queryLogGroupsSql(caps: Capabilities, windowHours: number, limit = 50): string {
  const tables = caps.queryLogTables ? ', any(tables) AS tables' : '';
  const select =
    'SELECT any(substring(query, 1, 1000)) AS sample, count() AS n, avg(query_duration_ms) AS mean_ms, ' +
    `max(query_duration_ms) AS max_ms, max(read_rows) AS max_read_rows, max(read_bytes) AS max_read_bytes${tables}, ` +
    `max(${selectStarExpr()}) AS select_star FROM system.query_log WHERE ${queryLogWhere(windowHours)} GROUP BY ${groupKey(caps)}`;
  return (
    `SELECT * FROM (${select} ORDER BY max_ms DESC LIMIT ${limit}) ` +
    `UNION ALL SELECT * FROM (${select} ORDER BY max_read_rows DESC LIMIT ${limit})`
  );
}

export interface AuditQueries {
  settings: string;
  tables: string;
  columns: string;
  parts: string;
  /** Absent when the server has no query log. */
  queryLogSummary?: string;
  queryLogGroups?: string;
}

/** Every statement after the probe, for one capability set. */
export function auditQueries(
  caps: Capabilities,
  databases: readonly string[] | null,
  windowHours: number,
): AuditQueries {
  return {
    settings: settingsSql(caps),
    tables: tablesSql(caps, databases),
    columns: columnsSql(caps, databases),
    parts: partsSql(caps, databases),
    ...(caps.queryLog
      ? {
          queryLogSummary: queryLogSummarySql(caps, windowHours),
          queryLogGroups: queryLogGroupsSql(caps, windowHours),
        }
      : {}),
  };
}
