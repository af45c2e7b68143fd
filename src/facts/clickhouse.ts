// Pure helpers the clickhouse/* checks share: no I/O, no client here.

import type {
  ClickHouseFacts,
  Column,
  Columns,
  QueryLog,
  Setting,
  Table,
  UnreadPart,
} from '../collectors/clickhouse/schema.js';
import type { CheckInput, CheckOutcome, Evidence, Remediation } from '../core/check.js';
import { redactSqlLiterals } from '../core/redact-sql.js';

export { sqlIdent, sqlTable } from '../collectors/clickhouse/sql.js';

export interface Server {
  target: string;
  data: ClickHouseFacts;
  /** Several targets: subjects name theirs. */
  several: boolean;
}

export function servers(input: CheckInput): Server[] {
  const targets = input.source('clickhouse').filter((t) => t.data);
  return targets.map((t) => ({ target: t.target, data: t.data!, several: targets.length > 1 }));
}

/** `clickhouse/db.table`, with the target when several are audited. Names stay verbatim. */
export function tableSubject(s: Server, t: { database: string; name: string }): string {
  return `clickhouse/${t.database}.${t.name}${s.several ? ` @ ${s.target}` : ''}`;
}

export const serverSubject = (s: Server): string => `clickhouse ${s.target}`;

const PART_WHAT: Record<UnreadPart, string> = {
  settings: 'system.settings',
  tables: 'system.tables',
  columns: 'system.columns',
  parts: 'system.parts',
  queryLog: 'system.query_log',
};

/**
 * Throws when a part the check needs could not be read: the engine turns it into an `error`
 * result naming the cause, so an unread part never passes.
 */
export function need(s: Server, ...parts: UnreadPart[]): void {
  for (const p of parts) {
    const u = s.data.unread[p];
    if (u) throw new Error(`${PART_WHAT[p]} could not be read on ${s.target} (${u.status}): ${u.message}`);
  }
}

/** User tables (not views or dictionaries); throws when the tables (or columns) were unread. */
export function tables(s: Server, withColumns = false): Table[] {
  need(s, 'tables', ...(withColumns ? (['columns'] as const) : []));
  return s.data.tables ?? [];
}

export const VIEW_ENGINES = new Set(['View', 'MaterializedView', 'LiveView', 'WindowView', 'Dictionary']);
export const isView = (t: Table): boolean => VIEW_ENGINES.has(t.engine);
export const isMergeTree = (t: Table): boolean => /MergeTree$/.test(t.engine);
/** MergeTree-family tables, the ones with keys and parts. */
export const mergeTrees = (s: Server, withColumns = false): Table[] =>
  tables(s, withColumns).filter(isMergeTree);

/** A session setting of the audit user's profile; throws when the settings were unread. */
export function setting(s: Server, name: string): Setting | undefined {
  need(s, 'settings');
  return s.data.settings?.[name];
}

export const SETTINGS_NOTE =
  "the audit user's profile (system.settings): audit with the application's user to see its values";

/** Top-level elements of a key expression: `a, toDate(b), (c, d)` → [a, toDate(b), (c, d)]. */
export function keyElements(key: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of key.trim().replace(/^tuple\(\)$/, '')) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Whether an expression names a column (bare or backquoted). */
export function mentions(expr: string, column: string): boolean {
  const c = escapeRe(column);
  return new RegExp(`(^|[^\\w.])(${c}|\`${c}\`)($|[^\\w])`).test(expr);
}

export const isTimeType = (type: string): boolean =>
  /^(Nullable\(|LowCardinality\()*(Date|Date32|DateTime|DateTime64)\b/.test(type);

const columnLists = new WeakMap<Columns, Column[]>();

/** A table's columns, one object each (the facts keep them as parallel arrays); null when unread. */
export function columnsOf(t: Table): Column[] | null {
  const c = t.columns;
  if (!c) return null;
  let list = columnLists.get(c);
  if (!list) {
    const inKey = new Set(c.partitionKey);
    list = c.name.map((name, i) => ({
      name,
      type: c.type[i] ?? '',
      bytes: c.bytes[i] ?? 0,
      compressedBytes: c.compressedBytes[i] ?? 0,
      codec: c.codec ? (c.codec[i] ?? '') : null,
      inPartitionKey: inKey.has(name),
    }));
    columnLists.set(c, list);
  }
  return list;
}

/** Date/DateTime columns the partition key uses; null when the columns are unknown. */
export function partitionTimeColumns(t: Table): Column[] | null {
  const columns = columnsOf(t);
  if (!columns) return null;
  if (!t.partitionKey) return [];
  return columns.filter((c) => isTimeType(c.type) && (c.inPartitionKey || mentions(t.partitionKey, c.name)));
}

export function timeColumns(t: Table): Column[] {
  return (columnsOf(t) ?? []).filter((c) => isTimeType(c.type));
}

export { evidenceStatus, worst } from '../core/status.js';
/** Binary units (`64 MiB`), one definition for the whole tool. */
export { formatBytes } from '../core/units.js';

import { plural } from './common.js';

export { plural };

/** A one-line summary of passing tables, so evidence stays short with thousands of tables. */
export function passedSummary(s: Server, count: number, what: string): Evidence[] {
  return count > 0
    ? [
        {
          subject: serverSubject(s),
          observed: count,
          note: `${plural(count, 'table')} ${what}`,
          status: 'pass',
        },
      ]
    : [];
}

/**
 * The outcome of a per-table check whose evidence lists the failing tables (and passed summaries):
 * a skip when no table was judged, a pass when none failed, else a failure with the remediation.
 */
export function tableOutcome(
  judged: number,
  evidence: Evidence[],
  words: { skip: string; pass: string; fail: (failed: number) => string; remediation: Remediation },
): CheckOutcome {
  if (judged === 0) return { status: 'skip', message: words.skip, evidence };
  const failed = evidence.filter((e) => e.status === 'fail').length;
  if (failed === 0) return { status: 'pass', message: words.pass, evidence };
  return { status: 'fail', message: words.fail(failed), evidence, remediation: words.remediation };
}

/** Evidence that the server lacks what a check reads (too old a version): the check skips on it. */
export function unsupported(s: Server, note: string): Evidence {
  return { subject: serverSubject(s), observed: s.data.version, status: 'info', note };
}

/** Up to `max` lines of SQL for a remediation, saying how many more there are. */
export function sqlLines(lines: readonly string[], max = 20): string {
  const shown = lines.slice(0, max);
  if (lines.length > max) shown.push(`-- ... and ${lines.length - max} more`);
  return shown.join('\n');
}

/** The query log of the window; null when the server keeps none. Throws when it could not be read. */
export function queryLog(s: Server): QueryLog | null {
  need(s, 'queryLog');
  return s.data.queryLog;
}

export const QUERY_LOG_OFF =
  'the server keeps no query log (no system.query_log: log_queries is off, or nothing has been logged yet)';

/** Queries slower than `ms`, from the histogram: exact on an edge, else the nearest edge below. */
export function countOver(q: QueryLog, ms: number): { count: number; overMs: number } {
  const edge = [...q.over].filter((o) => o.ms <= ms).sort((a, b) => b.ms - a.ms)[0] ?? q.over[0];
  return { count: edge?.count ?? 0, overMs: edge?.ms ?? ms };
}

/** A query as evidence text: one line, at most 200 characters. */
export function queryText(sample: string): string {
  // Redacted at collection too; again here for facts recorded before that.
  const line = redactSqlLiterals(sample).replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

const NAME = '(?:`(?:[^`\\\\]|\\\\.)+`|"(?:[^"\\\\]|\\\\.)+"|[A-Za-z_][\\w$]*)';
const FROM_RE = new RegExp(`\\b(?:FROM|JOIN)\\s+(${NAME})(?:\\s*\\.\\s*(${NAME}))?`, 'gi');
const unquote = (n: string): string => (/^[`"]/.test(n) ? n.slice(1, -1).replace(/\\(.)/g, '$1') : n);

/**
 * The tables a logged query read: the server's own list where it logs one (`query_log.tables`),
 * else the FROM / JOIN names of its text resolved against the known tables.
 */
export function queryTables(
  tablesKnown: readonly Table[],
  tablesLogged: string[] | null,
  sample: string,
): Table[] {
  const byName = (db: string | null, name: string) =>
    tablesKnown.filter((t) => t.name === name && (db === null || t.database === db));
  if (tablesLogged) {
    return tablesLogged.flatMap((full) => {
      const i = full.indexOf('.');
      return byName(full.slice(0, i), full.slice(i + 1));
    });
  }
  const found = new Set<Table>();
  for (const m of sample.matchAll(FROM_RE)) {
    const [db, name] = m[2] ? [unquote(m[1]!), unquote(m[2])] : [null, unquote(m[1]!)];
    const hits = byName(db, name);
    if (hits.length === 1) found.add(hits[0]!);
  }
  return [...found];
}
