import { readFileSync } from 'node:fs';
import type { Client, ClientConfig } from 'pg';
import { redactUrl } from '../../core/redact-url.js';
import { ReceiveCap } from '../response-cap.js';
import type { SocketBounds } from '../socket-bounds.js';
import type { TargetSpec } from '../types.js';

export interface Connection {
  config: ClientConfig;
  /**
   * The target's name when it has none: its URL through `redactUrl` (`postgres://auditor:***@db:5432/app`,
   * as every source shows its URL), or for libpq's variables `postgres://PGUSER@PGHOST:PGPORT/PGDATABASE`.
   * Earlier names dropped the user (`postgres://db:5432/app`, `pgbouncer://db:6432/pgbouncer`):
   * policy/legacy-targets maps them to these.
   */
  label: string;
  host: string | null;
  port: number | null;
}

type SslConfig = Exclude<ClientConfig['ssl'], undefined>;

/**
 * libpq's sslmode as node-postgres understands it. `prefer` and `allow` cannot fall back from
 * TLS to plain in node-postgres, so they connect in plain text like libpq does when the server
 * has no TLS; use `require` or `verify-full` to insist on TLS.
 */
function sslFor(mode: string | null, params: URLSearchParams): SslConfig {
  const ca = params.get('sslrootcert');
  const cert = params.get('sslcert');
  const key = params.get('sslkey');
  const files = {
    ...(ca && ca !== 'system' ? { ca: readFileSync(ca, 'utf8') } : {}),
    ...(cert ? { cert: readFileSync(cert, 'utf8') } : {}),
    ...(key ? { key: readFileSync(key, 'utf8') } : {}),
  };
  switch (mode) {
    case 'require':
      return { ...files, rejectUnauthorized: false };
    case 'verify-ca':
      return { ...files, rejectUnauthorized: true, checkServerIdentity: () => undefined };
    case 'verify-full':
      return { ...files, rejectUnauthorized: true };
    default:
      return false;
  }
}

const LIBPQ_PARAMS = ['sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'uselibpqcompat'];

/**
 * The client config for a target: its URL, or libpq's `PG*` variables when the target has no
 * URL (node-postgres reads PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE itself; PGSSLMODE
 * is applied here like the URL's `sslmode`). No pg timeouts: connectionTimeoutMillis and
 * query_timeout count wall-clock time, so a starved process would blame a fast server; the time
 * bounds are `boundClient`'s.
 */
export function connectionFor(target: TargetSpec, defaultDb: string | undefined): Connection {
  const base: ClientConfig = {
    application_name: 'strisk',
    keepAlive: false,
  };
  if (target.url) {
    const u = new URL(target.url);
    // `user:pass@host` (the scheme forgotten) parses as scheme `user:` with the password in the path.
    if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:')
      throw new Error(`unsupported scheme ${u.protocol} (expected postgres:// or postgresql://)`);
    const params = new URLSearchParams(u.search);
    const ssl = sslFor(params.get('sslmode') ?? process.env.PGSSLMODE ?? null, params);
    for (const k of LIBPQ_PARAMS) u.searchParams.delete(k);
    const host = decodeURIComponent(u.hostname) || null;
    const port = u.port ? Number(u.port) : 5432;
    const db = decodeURIComponent(u.pathname.replace(/^\//, '')) || defaultDb;
    if (db && !u.pathname.replace(/^\//, '')) u.pathname = `/${db}`;
    return {
      config: { ...base, connectionString: u.toString(), ssl },
      label: redactUrl(target.url),
      host,
      port,
    };
  }
  const env = process.env;
  const host = env.PGHOST ?? 'localhost';
  const port = Number(env.PGPORT ?? 5432);
  const db = env.PGDATABASE ?? defaultDb ?? env.PGUSER ?? env.USER ?? 'postgres';
  const ssl = sslFor(env.PGSSLMODE ?? null, new URLSearchParams({ sslrootcert: env.PGSSLROOTCERT ?? '' }));
  return {
    config: { ...base, host, port, database: db, ssl },
    label: `postgres://${env.PGUSER ? `${encodeURIComponent(env.PGUSER)}@` : ''}${host}:${port}/${db}`,
    host,
    port,
  };
}

/**
 * What one answer of PostgreSQL or PgBouncer may hold. The audit's largest is the table
 * statistics, LIMIT maxTables (10,000 by default: about 4 MB, 10,000 rows); the rest are a few
 * hundred rows of settings, pools and the top statements. Rows become JS objects many times
 * their wire size (a 12-byte row costs about 100 bytes and a microsecond to parse), so rows are
 * capped as well as bytes: a server that streams tiny rows without end is stopped within a
 * second, not at the deadline. A maxTables above PG_MAX_RESPONSE_ROWS meets the row cap.
 */
export const PG_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;
export const PG_MAX_RESPONSE_ROWS = 100_000;

const caps = new WeakMap<Client, ReceiveCap>();

/**
 * Caps each answer a client's connection receives (`PG_MAX_RESPONSE_BYTES`,
 * `PG_MAX_RESPONSE_ROWS`, counted from one ReadyForQuery to the next): past a cap the socket is
 * destroyed and the pending query fails with "response larger than ...". Call it right after
 * `new pg.Client()`, before connect; the TLS stream that replaces the socket is counted too.
 */
export function capClient(
  client: Client,
  maxBytes = PG_MAX_RESPONSE_BYTES,
  maxRows = PG_MAX_RESPONSE_ROWS,
): void {
  const connection = (client as unknown as { connection: PgConnection }).connection;
  const cap = new ReceiveCap(maxBytes);
  let rows = 0;
  cap.watch(connection.stream);
  connection.on('sslconnect', () => cap.watch(connection.stream));
  connection.on('dataRow', () => {
    if (++rows > maxRows) cap.trip(`${maxRows.toLocaleString('en')} rows`);
  });
  connection.on('readyForQuery', () => {
    cap.reset();
    rows = 0;
  });
  caps.set(client, cap);
}

/**
 * Puts a client's connection under `bounds` (the idle wait on the server, the source deadline):
 * the socket, and the TLS stream that replaces it, count as the server's activity and are
 * destroyed when a bound trips. Call it right after `new pg.Client()`, before connect, and run
 * the connect and every query through `bounds.request`.
 */
export function boundClient(client: Client, bounds: SocketBounds): void {
  const connection = (client as unknown as { connection: PgConnection }).connection;
  bounds.watch(connection.stream);
  connection.on('sslconnect', () => bounds.watch(connection.stream));
  // Authentication steps the server waits on this side for: the password (read from a pgpass
  // file perhaps, hashed for MD5) and SCRAM's proofs (4096 rounds of PBKDF2 through WebCrypto,
  // seconds on a starved machine). That time is this machine's, not the server's silence.
  for (const step of AUTH_STEPS) connection.on(step, () => bounds.ourTurn());
}

const AUTH_STEPS = [
  'authenticationCleartextPassword',
  'authenticationMD5Password',
  'authenticationSASL',
  'authenticationSASLContinue',
] as const;

interface PgConnection {
  stream: import('node:stream').Duplex;
  on(
    event: 'sslconnect' | 'dataRow' | 'readyForQuery' | (typeof AUTH_STEPS)[number],
    listener: () => void,
  ): void;
}

/** The cap's error when the cap closed the connection: the cause to report, whatever pg made of it. */
export function capError(client: Client): Error | undefined {
  return caps.get(client)?.error;
}

/** The passwords a client may have sent besides the URL's: from PGPASSWORD or a pgpass file. */
export function secretsOf(client: Client): string[] {
  const pw = (client as unknown as { password?: unknown }).password;
  return [typeof pw === 'string' ? pw : undefined, process.env.PGPASSWORD].filter(
    (p): p is string => typeof p === 'string' && p !== '',
  );
}

/** Ends the session; end() waits for the server, and a server that never answers must not hold the run. */
export async function closeClient(client: Client): Promise<void> {
  const stream = (client as unknown as { connection?: { stream?: { destroy(): void; destroyed?: boolean } } })
    .connection?.stream;
  let timer: NodeJS.Timeout | undefined;
  // A connection a bound has destroyed has no session left to end.
  if (!stream?.destroyed) {
    await Promise.race([
      client.end().catch(() => {}),
      new Promise((r) => {
        timer = setTimeout(r, 200);
      }),
    ]);
  }
  clearTimeout(timer);
  stream?.destroy();
  caps.get(client)?.destroy();
}
