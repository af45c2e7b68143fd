import pg from 'pg';
import type { TargetFacts } from '../../core/facts.js';
import { redactSqlLiterals } from '../../core/redact-sql.js';
import { deadlineSignal, SocketBounds, untilDeadline } from '../socket-bounds.js';
import { type CollectContext, scrubPassword, type TargetSpec } from '../types.js';
import { boundClient, capClient, capError, closeClient, connectionFor, secretsOf } from './connect.js';
import { classifyPgError } from './errors.js';
import { ReadOnlySession } from './readonly.js';
import { type Forbidden, type PostgresFacts, PostgresFactsSchema, type Setting } from './schema.js';
import { expectedSettings, MARK, PROBE, SETTING_NAMES, SETTINGS, statementsSql, TABLES } from './sql.js';
import { convertSetting, parseMemory } from './units.js';

export type { PostgresFacts } from './schema.js';

const MAX_TABLES = 10_000;
const TOP_STATEMENTS = 10;

type Row = Record<string, unknown>;
const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const iso = (v: unknown): string | null =>
  v === null || v === undefined
    ? null
    : v instanceof Date
      ? v.toISOString()
      : new Date(String(v)).toISOString();

function grantFor(user: string, role: string): string {
  return `GRANT ${role} TO "${user.replace(/"/g, '""')}";  -- or GRANT pg_monitor, which includes it`;
}

function memoryOf(target: TargetSpec): PostgresFacts['memory'] {
  const bytes = parseMemory(target.memory);
  return bytes === null ? null : { bytes, from: `config: memory ${String(target.memory)} on the target` };
}

/**
 * Reads one PostgreSQL server in a single read-only transaction with a statement timeout:
 * a fixed number of statements (probe, settings, tables, pg_stat_statements when installed).
 * Never throws; a failure becomes the target's status. Target keys: `url`, `name`,
 * `memory` (the machine's RAM, e.g. '64GB'), `database` (when the URL names none), `maxTables`,
 * `settings` (more pg_settings names to read, for declared checks).
 */
export async function collect(target: TargetSpec, ctx: CollectContext): Promise<TargetFacts<PostgresFacts>> {
  const started = performance.now();
  const defaultDb = typeof target.database === 'string' ? target.database : undefined;
  let conn: ReturnType<typeof connectionFor>;
  try {
    conn = connectionFor(target, defaultDb);
  } catch (err) {
    const name = target.name ?? 'postgres target';
    return {
      target: name,
      status: 'invalid',
      message: `invalid target: ${(err as Error).message}`,
      durationMs: 0,
    };
  }
  const name = target.name ?? conn.label;
  const elapsed = () => Math.round(performance.now() - started);
  const client = new pg.Client(conn.config);
  capClient(client);
  // Each request may wait `timeoutMs` on a silent server; the whole target ends at the deadline.
  const signal = deadlineSignal(ctx.timeoutMs, ctx.signal);
  const bounds = new SocketBounds(ctx.timeoutMs, signal);
  boundClient(client, bounds);
  client.on('error', () => {}); // a late socket error after the deadline must not crash the run
  try {
    const data = await untilDeadline(signal, () => read(client, target, conn, ctx.timeoutMs, bounds));
    return { target: name, status: 'ok', durationMs: elapsed(), data: PostgresFactsSchema.parse(data) };
  } catch (err) {
    const c = classifyPgError(capError(client) ?? bounds.error ?? err, conn.label);
    // A server may quote the password back in its error: it must never reach the facts.
    const message = scrubPassword(c.message, target.url, secretsOf(client));
    return { target: name, status: c.status, message, durationMs: elapsed() };
  } finally {
    bounds.close();
    await closeClient(client);
  }
}

async function read(
  client: pg.Client,
  target: TargetSpec,
  conn: ReturnType<typeof connectionFor>,
  timeoutMs: number,
  bounds: SocketBounds,
): Promise<PostgresFacts> {
  await bounds.request(() => client.connect());
  const db = new ReadOnlySession(client, MARK, bounds);
  const maxTables = typeof target.maxTables === 'number' ? target.maxTables : MAX_TABLES;
  // One after another: pg deprecates queueing a query while another runs (a warning on stderr).
  // A statement runs at most as long as a request may wait on a silent server (the server sends
  // nothing while it works): the server stops the work itself, where a dropped client would leave
  // it running, and says so ("canceling statement due to statement timeout").
  await db.query('BEGIN READ ONLY');
  await db.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.floor(timeoutMs))}`);
  const probeRows = await db.query<Row>(PROBE);
  // The checks' settings, and those the config's declared checks name (`settings`, from checks.custom).
  const extra = Array.isArray(target.settings) ? target.settings.filter((n) => typeof n === 'string') : [];
  const settingRows = await db.query<Row>(SETTINGS, [[...new Set([...SETTING_NAMES, ...extra])]]);
  const tableRows = await db.query<Row>(TABLES, [maxTables]);
  const p = probeRows[0];
  if (!p) throw new Error('the probe returned no row');
  const user = String(p.user);
  const forbidden: Forbidden[] = [];
  const settings: Record<string, Setting> = {};
  for (const r of settingRows) {
    const unit = (r.unit as string | null) ?? null;
    const setting = (r.setting as string | null) ?? null;
    settings[String(r.name)] = {
      setting,
      unit,
      value: convertSetting(setting, unit, r.vartype as string),
      source: (r.source as string | null) ?? null,
      sourcefile: (r.sourcefile as string | null) ?? null,
      sourceline: numOrNull(r.sourceline),
    };
  }

  const versionNum = Number(p.version_num);
  // Superuser-only settings are silently left out of pg_settings for other roles.
  const hidden = expectedSettings(versionNum).filter((n) => !(n in settings));
  if (hidden.length > 0 && !p.read_all_settings) {
    forbidden.push({
      part: 'settings',
      message: `${user} cannot see ${hidden.join(', ')} without pg_read_all_settings`,
      grant: grantFor(user, 'pg_read_all_settings'),
    });
  }
  const tables = tableRows.map((r) => ({
    schema: String(r.schema),
    name: String(r.name),
    seqScan: num(r.seq_scan),
    idxScan: numOrNull(r.idx_scan),
    liveTuples: num(r.live),
    deadTuples: num(r.dead),
    lastVacuum: (r.last_vacuum as string | null) ?? null,
    lastAutovacuum: (r.last_autovacuum as string | null) ?? null,
    totalBytes: num(r.total_bytes),
  }));

  let statements: PostgresFacts['statements'] = null;
  let statementsNote: string | undefined;
  if (p.pgss_schema == null) {
    statementsNote = 'the pg_stat_statements extension is not installed in this database';
  } else if (!p.pgss_readable) {
    forbidden.push({
      part: 'statements',
      message: `${user} may not read ${String(p.pgss_schema)}.pg_stat_statements`,
      grant: grantFor(user, 'pg_read_all_stats'),
    });
    statementsNote = 'pg_stat_statements is installed but not readable by the audit role';
  } else {
    const rows = await db.query<Row>(
      statementsSql(String(p.pgss_schema), String(p.pgss_version), TOP_STATEMENTS),
    );
    const agg = rows[0] ?? {};
    const calls = num(agg.calls_sum);
    const totalMs = num(agg.total_sum);
    statements = {
      schema: String(p.pgss_schema),
      extensionVersion: String(p.pgss_version),
      statements: num(agg.n),
      calls,
      totalMs,
      meanMs: calls > 0 ? totalMs / calls : null,
      slowest: rows
        .filter((r) => r.query != null)
        .map((r) => ({
          queryid: (r.queryid as string | null) ?? null,
          // Utility statements are kept verbatim (`ALTER ROLE x PASSWORD '...'`): no literal leaves.
          query: redactSqlLiterals(String(r.query)),
          calls: num(r.calls),
          meanMs: num(r.mean_ms),
          totalMs: num(r.total_ms),
          rows: num(r.rows),
        })),
    };
    if (!p.read_all_stats)
      statementsNote = 'texts of other roles’ statements are hidden without pg_read_all_stats';
  }
  await db.query('COMMIT');

  const ar = p.archiver as Row | null;
  const byState = (p.by_state as Record<string, number> | null) ?? {};
  return {
    server: {
      versionNum,
      version: String(p.version),
      database: String(p.database),
      user,
      host: conn.host,
      port: conn.port,
      inRecovery: Boolean(p.in_recovery),
      superuser: Boolean(p.superuser),
      pgMonitor: Boolean(p.pg_monitor),
      readAllSettings: Boolean(p.read_all_settings),
      readAllStats: Boolean(p.read_all_stats),
    },
    memory: memoryOf(target),
    settings,
    tables,
    tablesTotal: num(p.tables_total),
    database: { sizeBytes: num(p.db_size), frozenXidAge: num(p.db_frozen_age) },
    archiver: ar
      ? {
          archivedCount: num(ar.archived_count),
          lastArchivedWal: (ar.last_archived_wal as string | null) ?? null,
          lastArchivedTime: iso(ar.last_archived_time),
          failedCount: num(ar.failed_count),
          lastFailedWal: (ar.last_failed_wal as string | null) ?? null,
          lastFailedTime: iso(ar.last_failed_time),
          statsReset: iso(ar.stats_reset),
        }
      : null,
    connections: { current: Object.values(byState).reduce((a, b) => a + b, 0), byState },
    statements,
    ...(statementsNote ? { statementsNote } : {}),
    forbidden,
    queries: db.queries,
  };
}
