import pg from 'pg';
import type { TargetFacts } from '../../core/facts.js';
import {
  boundClient,
  capClient,
  capError,
  closeClient,
  connectionFor,
  secretsOf,
} from '../postgres/connect.js';
import { classifyPgError } from '../postgres/errors.js';
import { ReadOnlySession } from '../postgres/readonly.js';
import { deadlineSignal, SocketBounds, untilDeadline } from '../socket-bounds.js';
import { type CollectContext, scrubPassword, type TargetSpec } from '../types.js';
import { type PgbouncerFacts, PgbouncerFactsSchema } from './schema.js';

export type { PgbouncerFacts } from './schema.js';

type Row = Record<string, unknown>;
const num = (v: unknown): number => (v === null || v === undefined || v === '' ? 0 : Number(v));
const str = (v: unknown): string | null => (v === null || v === undefined || v === '' ? null : String(v));
const US = 1e-6;

/**
 * Reads PgBouncer's admin console (database `pgbouncer`). The console speaks only the simple
 * query protocol and only its own SHOW commands, so every statement is a parameterless SHOW.
 * Never throws; a failure becomes the target's status. Target keys: `url`, `name`.
 */
export async function collect(target: TargetSpec, ctx: CollectContext): Promise<TargetFacts<PgbouncerFacts>> {
  const started = performance.now();
  let conn: ReturnType<typeof connectionFor>;
  try {
    conn = connectionFor(target, 'pgbouncer');
  } catch (err) {
    return {
      target: target.name ?? 'pgbouncer target',
      status: 'invalid',
      message: (err as Error).message,
      durationMs: 0,
    };
  }
  const label = conn.label;
  const name = target.name ?? label;
  // The console refuses startup parameters it does not know; send none beyond the basics.
  const client = new pg.Client({ ...conn.config, application_name: undefined });
  capClient(client);
  // Each request may wait `timeoutMs` on a silent server; the whole target ends at the deadline.
  const signal = deadlineSignal(ctx.timeoutMs, ctx.signal);
  const bounds = new SocketBounds(ctx.timeoutMs, signal);
  boundClient(client, bounds);
  client.on('error', () => {});
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const data = await untilDeadline(signal, () => read(client, bounds));
    return { target: name, status: 'ok', durationMs: elapsed(), data: PgbouncerFactsSchema.parse(data) };
  } catch (err) {
    const c0 = classifyPgError(capError(client) ?? bounds.error ?? err, label);
    // A server may quote the password back in its error: it must never reach the facts.
    const c = { ...c0, message: scrubPassword(c0.message, target.url, secretsOf(client)) };
    // The console answers "not allowed" (08P01) to users outside admin_users / stats_users.
    if (/not allowed|no such database/i.test(c.message) && c.status === 'error') {
      return {
        target: name,
        status: 'forbidden',
        message: `${c.message}; add the user to stats_users in pgbouncer.ini`,
        durationMs: elapsed(),
      };
    }
    return { target: name, status: c.status, message: c.message, durationMs: elapsed() };
  } finally {
    bounds.close();
    await closeClient(client);
  }
}

async function read(client: pg.Client, bounds: SocketBounds): Promise<PgbouncerFacts> {
  await bounds.request(() => client.connect());
  const db = new ReadOnlySession(client, '', bounds);
  const configRows = await db.query<Row>('SHOW CONFIG');
  const pools = await db.query<Row>('SHOW POOLS');
  const stats = await db.query<Row>('SHOW STATS');
  const databases = await db.query<Row>('SHOW DATABASES');
  const config: Record<string, string> = {};
  for (const r of configRows) config[String(r.key)] = String(r.value ?? '');
  const [v] = await db.query<Row>('SHOW VERSION');
  return {
    version: str(v?.version),
    config,
    pools: pools.map((r) => ({
      database: String(r.database),
      user: String(r.user),
      clActive: num(r.cl_active),
      clWaiting: num(r.cl_waiting),
      svActive: num(r.sv_active),
      svIdle: num(r.sv_idle),
      svUsed: num(r.sv_used),
      maxwaitSeconds: num(r.maxwait) + num(r.maxwait_us) * US,
      poolMode: str(r.pool_mode),
    })),
    databases: databases.map((r) => ({
      name: String(r.name),
      host: str(r.host),
      port: r.port == null || r.port === '' ? null : Number(r.port),
      database: str(r.database),
      forceUser: str(r.force_user),
      poolSize: num(r.pool_size),
      reservePool: num(r.reserve_pool),
      poolMode: str(r.pool_mode),
      maxConnections: num(r.max_connections),
      currentConnections: num(r.current_connections),
      paused: num(r.paused) > 0,
      disabled: num(r.disabled) > 0,
    })),
    stats: stats.map((r) => ({
      database: String(r.database),
      totalXactCount: num(r.total_xact_count),
      totalQueryCount: num(r.total_query_count),
      avgXactSeconds: num(r.avg_xact_time) * US,
      avgQuerySeconds: num(r.avg_query_time) * US,
      avgWaitSeconds: num(r.avg_wait_time) * US,
      totalWaitSeconds: num(r.total_wait_time) * US,
    })),
    queries: db.queries,
  };
}
