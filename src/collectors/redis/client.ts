import { createConnection } from 'node:net';
import { type ConnectionOptions, connect as tlsConnect } from 'node:tls';
import { AbstractConnector, Redis } from 'ioredis';
import type { TargetStatus } from '../../core/facts.js';
import { ReceiveCap } from '../response-cap.js';
import type { SocketBounds } from '../socket-bounds.js';
import { RespGuard } from './resp-guard.js';

/**
 * What one Redis round trip may receive. The largest legitimate answer is a sampling batch: one
 * SCAN reply (COUNT 1000) and up to 1000 PTTLs, well under 1 MB with key names of a few hundred
 * bytes; INFO and CONFIG GET are a few tens of KB, CLUSTER NODES about 200 bytes per node.
 * A reply of many small elements becomes JS values many times its wire size, so the cap is far
 * below what memory alone would allow; a server that sends more is closed, and the target fails
 * with "response larger than 8 MiB".
 */
export const REDIS_MAX_RESPONSE_BYTES = 8 * 1024 * 1024;
/** Elements all the arrays of one response may announce (a sampling batch announces about 1000). */
export const REDIS_MAX_RESPONSE_ELEMENTS = 1_000_000;

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

/**
 * One connection that can only read. Its time bounds are `bounds`: ioredis's own timers
 * (connectTimeout, commandTimeout) count wall-clock time, so a starved process would blame a fast
 * server; they are off, and `bounds` measures the server's silence instead.
 */
export class ReadOnlyRedis {
  private readonly redis: Redis;
  /** The socket's or handshake's own error: ioredis rejects with a bare "Connection is closed". */
  private lastError: Error | undefined;
  private readonly cap: ReceiveCap;
  private readonly guard: RespGuard;

  constructor(
    readonly endpoint: Endpoint,
    private readonly bounds: SocketBounds,
    maxBytes = REDIS_MAX_RESPONSE_BYTES,
  ) {
    const cap = new ReceiveCap(maxBytes);
    const guard = new RespGuard(REDIS_MAX_RESPONSE_ELEMENTS, maxBytes);
    this.cap = cap;
    this.guard = guard;
    // ioredis's own connector, plus the byte cap on the stream it opens.
    class CappedConnector extends AbstractConnector {
      constructor() {
        super(0);
      }
      connect(): Promise<import('node:net').Socket> {
        this.connecting = true;
        return new Promise((resolve, reject) => {
          process.nextTick(() => {
            if (!this.connecting) {
              reject(new Error('Connection is closed.'));
              return;
            }
            const at = { host: endpoint.host, port: endpoint.port };
            const stream = endpoint.tls ? tlsConnect({ ...at, ...endpoint.tls }) : createConnection(at);
            this.stream = stream;
            stream.once('error', (err) => {
              this.firstError = err;
            });
            cap.watch(stream);
            bounds.watch(stream);
            // ioredis adds its decoder on connect; the guard goes in front of it a tick later.
            stream.once(endpoint.tls ? 'secureConnect' : 'connect', () =>
              process.nextTick(() =>
                stream.prependListener('data', (chunk: Buffer) => {
                  const over = guard.scan(chunk);
                  if (!over) return;
                  // The decoder still gets this chunk: end the header where it broke the limit,
                  // and the rest is bytes it rejects, so nothing is allocated for the rest.
                  chunk.fill(13, over.at);
                  cap.trip(over.what);
                }),
              ),
            );
            resolve(stream);
          });
        });
      }
    }
    this.redis = new Redis({
      Connector: CappedConnector,
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
      connectTimeout: 0,
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
      await this.bounds.request(() => this.redis.connect());
      // AUTH and SELECT run during the handshake; PING makes their failures surface here.
      await this.call(['ping']);
    } catch (err) {
      throw this.cap.error ?? this.bounds.error ?? this.lastError ?? err;
    }
  }

  async call(cmd: Command): Promise<unknown> {
    assertRead(cmd);
    this.cap.reset();
    this.guard.reset();
    let reply: unknown;
    try {
      reply = await this.bounds.request(() => this.redis.call(cmd[0], ...cmd.slice(1)));
    } catch (err) {
      // ioredis reports a capped connection as "Connection is closed": name the cause.
      throw this.cap.error ?? this.bounds.error ?? err;
    }
    // The last read may complete the reply that broke the cap: it is still refused.
    if (this.cap.error) throw this.cap.error;
    return reply;
  }

  /** Several commands in one round trip; each reply or its error. */
  async batch(cmds: readonly Command[]): Promise<{ error: Error | null; reply: unknown }[]> {
    if (cmds.length === 0) return [];
    for (const c of cmds) assertRead(c);
    this.cap.reset();
    this.guard.reset();
    const res = await this.bounds
      .request(() => this.redis.pipeline(cmds.map((c) => [...c])).exec())
      .catch((err: unknown) => {
        throw this.cap.error ?? this.bounds.error ?? err;
      });
    if (!res) throw this.cap.error ?? new Error('pipeline was not executed');
    if (this.cap.error) throw this.cap.error;
    return res.map(([error, reply]) => ({ error, reply }));
  }

  /** Closes at once: a server that never answers the QUIT must not keep the process alive. */
  close(): void {
    this.redis.disconnect(false);
    this.cap.destroy();
    this.bounds.close();
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
  if (/Unknown RESP type|Protocol error/i.test(msg)) {
    return new TargetError('error', `the server's reply is not Redis protocol (${msg})`);
  }
  if (/^LOADING/.test(msg)) return new TargetError('error', `server is loading its dataset: ${msg}`);
  if (/Connection is closed|Stream isn't writeable/i.test(msg)) {
    return new TargetError('unreachable', `connection closed by the server (${msg})`);
  }
  return new TargetError('error', msg);
}
