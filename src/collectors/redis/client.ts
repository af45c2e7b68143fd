import type { ConnectionOptions } from 'node:tls';
import { Redis } from 'ioredis';
import type { TargetStatus } from '../../core/facts.js';

/**
 * The only commands strisk sends, by name or `name|subcommand` as `INFO commandstats` counts them.
 * The handshake ioredis makes itself (AUTH, SELECT) is read-only too. Anything else is refused
 * before it reaches the wire: the collector is read-only by construction.
 */
export const READ_COMMANDS: ReadonlySet<string> = new Set([
  'info',
  'config|get',
  'scan',
  'pttl',
  'ping',
  'cluster|nodes',
]);

export type Command = readonly [name: string, ...args: (string | number)[]];

export class RefusedCommandError extends Error {}

/** A failure with the target status it stands for. */
export class TargetError extends Error {
  constructor(
    readonly status: TargetStatus,
    message: string,
  ) {
    super(message);
  }
}

function commandKey([name, ...args]: Command): string {
  const n = name.toLowerCase();
  return n === 'config' || n === 'cluster' ? `${n}|${String(args[0] ?? '').toLowerCase()}` : n;
}

function assertRead(cmd: Command): void {
  if (!READ_COMMANDS.has(commandKey(cmd))) {
    throw new RefusedCommandError(`strisk refuses to send ${commandKey(cmd)}: not a read command`);
  }
}

export interface Endpoint {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db: number;
  tls?: ConnectionOptions;
}

/** Reads `redis://[user[:password]@]host[:port][/db]` and `rediss://...` (TLS). */
export function parseRedisUrl(url: string, tls: ConnectionOptions = {}): Endpoint {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new TargetError('invalid', 'not a URL (expected redis://host:port or rediss://...)');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new TargetError('invalid', `unsupported scheme ${u.protocol} (expected redis: or rediss:)`);
  }
  const dbText = u.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0) throw new TargetError('invalid', `bad database index "${dbText}"`);
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1') || 'localhost';
  return {
    host,
    port: u.port ? Number(u.port) : 6379,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db,
    tls: u.protocol === 'rediss:' ? { servername: host, ...tls } : undefined,
  };
}

/** One connection that can only read. */
export class ReadOnlyRedis {
  private readonly redis: Redis;
  /** The socket's or handshake's own error: ioredis rejects with a bare "Connection is closed". */
  private lastError: Error | undefined;

  constructor(
    readonly endpoint: Endpoint,
    timeoutMs: number,
  ) {
    this.redis = new Redis({
      host: endpoint.host,
      port: endpoint.port,
      username: endpoint.username,
      password: endpoint.password,
      db: endpoint.db,
      tls: endpoint.tls,
      lazyConnect: true,
      enableOfflineQueue: false,
      enableReadyCheck: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      reconnectOnError: () => false,
      autoResendUnfulfilledCommands: false,
      connectTimeout: Math.max(1, timeoutMs),
      commandTimeout: Math.max(1, timeoutMs),
      protocol: 2,
      disableClientInfo: true,
    });
    // An unhandled 'error' event would crash the process; keep it to explain a failed connect.
    this.redis.on('error', (err: Error) => {
      this.lastError ??= err;
    });
  }

  get address(): string {
    return `${this.endpoint.host}:${this.endpoint.port}`;
  }

  async connect(): Promise<void> {
    try {
      await this.redis.connect();
      // AUTH and SELECT run during the handshake; PING makes their failures surface here.
      await this.call(['ping']);
    } catch (err) {
      throw this.lastError ?? err;
    }
  }

  async call(cmd: Command): Promise<unknown> {
    assertRead(cmd);
    return this.redis.call(cmd[0], ...cmd.slice(1));
  }

  /** Several commands in one round trip; each reply or its error. */
  async batch(cmds: readonly Command[]): Promise<{ error: Error | null; reply: unknown }[]> {
    if (cmds.length === 0) return [];
    for (const c of cmds) assertRead(c);
    const res = await this.redis.pipeline(cmds.map((c) => [...c])).exec();
    if (!res) throw new Error('pipeline was not executed');
    return res.map(([error, reply]) => ({ error, reply }));
  }

  close(): void {
    this.redis.disconnect(false);
  }
}

/** Maps an error of ioredis or of the server to the target status it means. */
export function classifyError(err: unknown): TargetError {
  if (err instanceof TargetError) return err;
  const e = err as { message?: string; code?: string };
  const msg = String(e?.message ?? err);
  const code = e?.code ?? '';
  if (
    ['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNRESET'].includes(code)
  ) {
    return new TargetError('unreachable', msg);
  }
  if (/^(NOAUTH|WRONGPASS)|invalid (username-)?password|without any password configured/i.test(msg)) {
    return new TargetError('auth-failed', msg);
  }
  if (/^NOPERM/.test(msg)) return new TargetError('forbidden', msg);
  if (code === 'ETIMEDOUT' || /timed? ?out/i.test(msg)) return new TargetError('timeout', msg);
  if (/^LOADING/.test(msg)) return new TargetError('error', `server is loading its dataset: ${msg}`);
  if (/Connection is closed|Stream isn't writeable/i.test(msg)) {
    return new TargetError('unreachable', `connection closed by the server (${msg})`);
  }
  return new TargetError('error', msg);
}
