import type { Client, QueryResultRow } from 'pg';
import type { SocketBounds } from '../socket-bounds.js';
import { capError } from './connect.js';

/** Thrown before anything is sent when a statement is not a read. */
export class NotReadOnlyError extends Error {
  constructor(sql: string) {
    super(`refused to send a statement that is not a read: ${sql.slice(0, 60)}`);
    this.name = 'NotReadOnlyError';
  }
}

const ALLOWED = [
  /^select\b/,
  /^with\b[\s\S]*\bselect\b/,
  /^show\s+[a-z_.]+\s*;?$/,
  /^begin\s+(transaction\s+)?read\s+only\s*;?$/,
  /^set\s+local\s+statement_timeout\s*(=|to)\s*'?\d+(ms)?'?\s*;?$/,
  /^(commit|rollback)\s*;?$/,
];
// A CTE may hide a write (`WITH x AS (DELETE ...) SELECT`); the read-only transaction would
// refuse it anyway, but refuse it here first.
const WRITE_WORDS = /\b(insert|update|delete|merge|truncate|create|alter|drop|grant|revoke|copy|call|do)\b\s/;
// Functions that act even inside a read-only transaction.
const ACTING_FUNCTIONS =
  /\b(pg_terminate_backend|pg_cancel_backend|pg_switch_wal|pg_reload_conf|pg_rotate_logfile|pg_stat_reset\w*|pg_stat_statements_reset|set_config|nextval|setval|pg_advisory\w*|lo_\w+|dblink\w*|pg_sleep\w*|pg_create\w*|pg_drop\w*|pg_promote|pg_wal_replay_\w+|pg_log_backend_memory_contexts)\s*\(/;

function stripComments(sql: string): string {
  return sql
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/--[^\n]*/g, ' ')
    .trim();
}

/** Whether a statement is one the audit may send: a read, or the read-only transaction around it. */
export function isReadOnlyStatement(sql: string): boolean {
  const text = stripComments(sql).toLowerCase();
  const code = text.replace(/'[^']*'/g, "''");
  // One statement only: anything after a semicolon (`select 1; commit; delete ...`) is refused.
  if (/;\s*\S/.test(code)) return false;
  if (!ALLOWED.some((re) => re.test(text))) return false;
  if (/^with\b/.test(text) && WRITE_WORDS.test(code)) return false;
  if (ACTING_FUNCTIONS.test(code)) return false;
  return true;
}

/** The one way collectors talk to PostgreSQL and PgBouncer: reads only, counted. */
export class ReadOnlySession {
  queries = 0;
  /**
   * `mark` prefixes every statement (a comment), so the audit's own statements can be told apart.
   * With `bounds`, each statement is a request under its idle wait and the source deadline.
   */
  constructor(
    private readonly client: Client,
    private readonly mark = '',
    private readonly bounds?: SocketBounds,
  ) {}

  async query<R extends QueryResultRow = QueryResultRow>(sql: string, params?: unknown[]): Promise<R[]> {
    if (!isReadOnlyStatement(sql)) throw new NotReadOnlyError(sql);
    this.queries++;
    if (this.mark && !sql.startsWith(this.mark)) sql = `${this.mark} ${sql}`;
    // Without params pg uses the simple query protocol, the only one PgBouncer's console speaks.
    const send = () => (params ? this.client.query<R>(sql, params) : this.client.query<R>(sql));
    const res = this.bounds ? await this.bounds.request(send) : await send();
    // An answer that arrived whole in one read completes before the closed socket is noticed.
    const over = capError(this.client);
    if (over) throw over;
    return res.rows;
  }
}
