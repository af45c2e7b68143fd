/**
 * The audit's SQL. Every statement starts with the `/* strisk *\/` marker so that strisk can
 * leave its own statements out of `pg_stat_statements` aggregates and a DBA can find them in logs.
 * The number of statements is fixed: one per part, whatever the number of tables.
 */
export const MARK = '/* strisk */';

/** Settings the checks read (absent names are simply missing on older servers). */
export const SETTING_NAMES = [
  'archive_command',
  'archive_library',
  'archive_mode',
  'archive_timeout',
  'autovacuum',
  'autovacuum_freeze_max_age',
  'autovacuum_naptime',
  'autovacuum_vacuum_scale_factor',
  'autovacuum_vacuum_threshold',
  'effective_cache_size',
  'log_min_duration_statement',
  'maintenance_work_mem',
  'max_connections',
  'max_wal_size',
  'reserved_connections',
  'shared_buffers',
  'shared_preload_libraries',
  'statement_timeout',
  'superuser_reserved_connections',
  'track_counts',
  'wal_buffers',
  'wal_level',
  'wal_segment_size',
  'work_mem',
];

/** The settings of SETTING_NAMES that exist on a server version. */
export function expectedSettings(versionNum: number): string[] {
  return SETTING_NAMES.filter(
    (n) =>
      !(
        (n === 'archive_library' && versionNum < 150000) ||
        (n === 'reserved_connections' && versionNum < 160000)
      ),
  );
}

/** Version, privileges, extension, archiver, connections and database ages in one row. */
export const PROBE = `${MARK} SELECT
  current_setting('server_version_num')::int AS version_num,
  current_setting('server_version') AS version,
  current_database() AS database, current_user AS "user",
  pg_is_in_recovery() AS in_recovery,
  (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser,
  pg_has_role(current_user, 'pg_monitor', 'USAGE') AS pg_monitor,
  pg_has_role(current_user, 'pg_read_all_settings', 'USAGE') AS read_all_settings,
  pg_has_role(current_user, 'pg_read_all_stats', 'USAGE') AS read_all_stats,
  e.extversion AS pgss_version, n.nspname AS pgss_schema,
  CASE WHEN n.nspname IS NULL THEN NULL
    ELSE has_schema_privilege(n.oid, 'USAGE')
      AND has_table_privilege(quote_ident(n.nspname) || '.pg_stat_statements', 'SELECT') END AS pgss_readable,
  pg_database_size(current_database())::float8 AS db_size,
  (SELECT age(datfrozenxid) FROM pg_database WHERE datname = current_database())::float8 AS db_frozen_age,
  (SELECT count(*) FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'm') AND s.nspname NOT IN ('pg_catalog', 'information_schema')
      AND s.nspname NOT LIKE 'pg_toast%')::int AS tables_total,
  (SELECT json_object_agg(coalesce(state, 'unknown'), n) FROM (
    SELECT state, count(*)::int AS n FROM pg_stat_activity WHERE backend_type = 'client backend'
    GROUP BY state) a) AS by_state,
  (SELECT row_to_json(ar) FROM pg_stat_archiver ar) AS archiver
FROM (SELECT 1) one
LEFT JOIN pg_extension e ON e.extname = 'pg_stat_statements'
LEFT JOIN pg_namespace n ON n.oid = e.extnamespace`;

export const SETTINGS = `${MARK} SELECT name, setting, unit, vartype, source, sourcefile, sourceline
FROM pg_settings WHERE name = ANY($1::text[])`;

/** An ISO 8601 UTC text of a timestamptz, made by the server (cheaper than a Date per value here). */
const isoText = (col: string): string =>
  `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * Table statistics the checks read, with sizes, largest first: numbers as float8 and times as
 * ISO text, so 10,000 rows cost little to decode.
 * Sizes come from `pg_class.relpages` (heap + TOAST + indexes, as of the last VACUUM/ANALYZE):
 * `pg_total_relation_size` would take a lock on every table and index in the one transaction
 * and runs out of lock slots (max_locks_per_transaction) on databases with thousands of tables.
 */
export const TABLES = `${MARK} SELECT s.schemaname AS schema, s.relname AS name,
  s.seq_scan::float8 AS seq_scan, s.idx_scan::float8 AS idx_scan,
  s.n_live_tup::float8 AS live, s.n_dead_tup::float8 AS dead,
  ${isoText('s.last_vacuum')} AS last_vacuum, ${isoText('s.last_autovacuum')} AS last_autovacuum,
  ((c.relpages::float8 + coalesce(t.relpages, 0)
    + coalesce((SELECT sum(ic.relpages) FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
                WHERE i.indrelid = c.oid), 0)) * current_setting('block_size')::float8) AS total_bytes
FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
LEFT JOIN pg_class t ON t.oid = c.reltoastrelid
ORDER BY total_bytes DESC, s.schemaname, s.relname LIMIT $1`;

/**
 * Aggregates of `pg_stat_statements` for this database and its slowest statements, in one
 * statement. Extension 1.8 (PostgreSQL 13) renamed `mean_time`/`total_time` to `*_exec_time`.
 */
export function statementsSql(schema: string, extVersion: string, top: number): string {
  const [major = 0, minor = 0] = extVersion.split('.').map(Number);
  const exec = major > 1 || minor >= 8;
  const mean = exec ? 'mean_exec_time' : 'mean_time';
  const total = exec ? 'total_exec_time' : 'total_time';
  const rel = `"${schema.replace(/"/g, '""')}".pg_stat_statements`;
  return `${MARK} WITH s AS (
  SELECT queryid::text AS queryid, left(query, 200) AS query, calls::float8 AS calls,
    ${mean}::float8 AS mean_ms, ${total}::float8 AS total_ms, rows::float8 AS rows
  FROM ${rel}
  WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
    AND query NOT LIKE '${MARK}%'
)
SELECT t.*, a.n, a.calls_sum, a.total_sum
FROM (SELECT count(*)::int AS n, coalesce(sum(calls), 0) AS calls_sum, coalesce(sum(total_ms), 0) AS total_sum FROM s) a
LEFT JOIN LATERAL (SELECT * FROM s ORDER BY mean_ms DESC LIMIT ${Math.max(0, Math.floor(top))}) t ON true`;
}
