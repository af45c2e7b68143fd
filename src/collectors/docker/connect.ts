import { setMaxListeners } from 'node:events';
import { readFileSync } from 'node:fs';
import { Agent as HttpAgent } from 'node:http';
import { Agent } from 'node:https';
import { join } from 'node:path';
import type { TargetStatus } from '../../core/facts.js';
import { boundedRequest, WireError } from '../bounded-request.js';

/** A failure with the target status it stands for. */
export class TargetError extends Error {
  constructor(
    readonly status: TargetStatus,
    message: string,
  ) {
    super(message);
  }
}

export class RefusedRequestError extends Error {}

export const DEFAULT_DOCKER_HOST = 'unix:///var/run/docker.sock';

/** The largest Engine API answer read (an `inspect`, a container list); past it the request is cut. */
export const MAX_ENGINE_ANSWER_BYTES = 16 * 1024 * 1024;

export interface ConnectOptions {
  certPath?: string;
  tlsVerify?: boolean;
}

/** Where the engine listens: a unix socket, or host and port over HTTP or HTTPS. */
export interface DockerAddress {
  socketPath?: string;
  host?: string;
  port?: number;
  protocol?: 'http' | 'https';
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  /** Set when TLS is not verified (`tlsVerify: false`). */
  agent?: Agent;
}

type Env = Record<string, string | undefined>;

function tlsFiles(dir: string): { ca: Buffer; cert: Buffer; key: Buffer } {
  try {
    return {
      ca: readFileSync(join(dir, 'ca.pem')),
      cert: readFileSync(join(dir, 'cert.pem')),
      key: readFileSync(join(dir, 'key.pem')),
    };
  } catch (err) {
    throw new TargetError('invalid', `cannot read TLS files in ${dir}: ${(err as Error).message}`);
  }
}

/**
 * The engine address for `unix:///path`, a bare socket path, `tcp://host:port` (TLS when a cert
 * path or `DOCKER_TLS_VERIFY` is given, or on port 2376), `http://` and `https://`, the way the
 * docker CLI reads `DOCKER_HOST`, `DOCKER_TLS_VERIFY` and `DOCKER_CERT_PATH`.
 */
export function dockerOptions(url: string, opts: ConnectOptions = {}, env: Env = process.env): DockerAddress {
  const address = url || env.DOCKER_HOST || DEFAULT_DOCKER_HOST;
  const base = { host: undefined, port: undefined, ca: undefined, cert: undefined, key: undefined };
  if (address.startsWith('/')) return { ...base, socketPath: address };
  let u: URL;
  try {
    u = new URL(address);
  } catch {
    throw new TargetError('invalid', 'not a Docker address (expected unix:///path or tcp://host:port)');
  }
  if (u.protocol === 'unix:') return { ...base, socketPath: decodeURIComponent(u.pathname) };
  if (!['tcp:', 'http:', 'https:'].includes(u.protocol)) {
    throw new TargetError(
      'invalid',
      `unsupported Docker address scheme ${u.protocol} (use unix:// or tcp://)`,
    );
  }
  const verifyEnv = env.DOCKER_TLS_VERIFY;
  const certPath = opts.certPath ?? env.DOCKER_CERT_PATH;
  const wantsTls =
    u.protocol === 'https:' ||
    opts.tlsVerify === true ||
    (verifyEnv !== undefined && verifyEnv !== '' && verifyEnv !== '0') ||
    (u.protocol === 'tcp:' && (u.port === '2376' || Boolean(opts.certPath)));
  const port = Number(u.port || (wantsTls ? 2376 : 2375));
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!wantsTls) return { ...base, host, port, protocol: 'http' };
  const files = certPath ? tlsFiles(certPath) : {};
  const verify = opts.tlsVerify ?? true;
  return {
    ...base,
    host,
    port,
    protocol: 'https',
    ...files,
    agent: verify ? undefined : new Agent({ rejectUnauthorized: false, keepAlive: true, ...files }),
  };
}

/** A non-2xx answer of the engine, with its message (`{"message": "..."}`). */
export class EngineError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(`(HTTP code ${statusCode}) ${message}`);
    this.name = 'EngineError';
  }
}

export interface EngineBounds {
  /** `--timeout`: the longest wait with nothing from the engine. */
  idleMs: number;
  /**
   * Requests that wait on the engine's sampling (stats) at once, each on a connection of its own:
   * the engine answers them all at its next samples, so they must be in flight together.
   */
  waitingSockets?: number;
  /** Aborted at the target's deadline. */
  signal?: AbortSignal;
}

// Image refs and ids as the engine takes them in a path (`strisk-test/small:latest`, `sha256:…`).
const pathPart = (s: string) => s.replace(/[^A-Za-z0-9._:@/-]/g, (c) => encodeURIComponent(c));

/**
 * A client of the Docker Engine API that can only read: GET requests, each answer capped at
 * MAX_ENGINE_ANSWER_BYTES, each wait bounded by the idle timeout, all cut at the deadline.
 * `close()` drops its connections, so nothing of it outlives the collection.
 */
export class ReadOnlyDocker {
  private readonly agent: HttpAgent;
  /** A pool of its own for the stats requests, which hold their connection until the engine samples. */
  private readonly waitAgent: HttpAgent;
  private readonly origin: string | undefined;

  constructor(
    private readonly address: DockerAddress,
    private readonly bounds: EngineBounds,
  ) {
    const pool = { keepAlive: true, maxSockets: 16 };
    const waiting = { keepAlive: true, maxSockets: bounds.waitingSockets ?? 8 };
    // Every request in flight listens for the deadline: hundreds at once are expected, not a leak.
    if (bounds.signal) setMaxListeners(pool.maxSockets + waiting.maxSockets + 16, bounds.signal);
    if (address.socketPath) {
      this.agent = new HttpAgent(pool);
      this.waitAgent = new HttpAgent(waiting);
      this.origin = undefined;
    } else if (address.protocol === 'https') {
      const tls = address.agent?.options ?? { ca: address.ca, cert: address.cert, key: address.key };
      this.agent = address.agent ?? new Agent({ ...pool, ...tls });
      this.waitAgent = new Agent({ ...tls, ...waiting });
      this.origin = `https://${hostPort(address)}`;
    } else {
      this.agent = new HttpAgent(pool);
      this.waitAgent = new HttpAgent(waiting);
      this.origin = `http://${hostPort(address)}`;
    }
  }

  /**
   * Any request; everything but GET is refused before it reaches the wire. `wait` is the longest
   * silence allowed from the engine (default the idle timeout) for a request that it answers late
   * on purpose; such a request goes through the waiting pool.
   */
  async request(method: string, path: string, wait?: number): Promise<unknown> {
    if (method.toUpperCase() !== 'GET') {
      throw new RefusedRequestError(`strisk refuses ${method} ${path}: the docker collector only reads`);
    }
    const res = await boundedRequest({
      method: 'GET',
      origin: this.origin,
      socketPath: this.address.socketPath,
      path,
      agent: wait === undefined ? this.agent : this.waitAgent,
      maxBytes: MAX_ENGINE_ANSWER_BYTES,
      idleMs: wait ?? this.bounds.idleMs,
      signal: this.bounds.signal,
    });
    let json: unknown;
    try {
      json = res.body.length === 0 ? null : JSON.parse(res.body.toString('utf8'));
    } catch {
      if (res.status >= 400) throw new EngineError(res.status, res.body.toString('utf8', 0, 200).trim());
      throw new TargetError('error', `${path}: the answer is not JSON: is it a Docker engine?`);
    }
    if (res.status >= 400) {
      const message = (json as { message?: unknown } | null)?.message;
      throw new EngineError(res.status, typeof message === 'string' ? message : `status ${res.status}`);
    }
    return json;
  }

  get<T = Record<string, unknown>>(path: string, wait?: number): Promise<T> {
    return this.request('GET', path, wait) as Promise<T>;
  }

  info() {
    return this.get('/info');
  }

  version() {
    return this.get('/version');
  }

  listContainers(all: boolean, labels: string[] = []): Promise<Array<{ Id: string; State?: string }>> {
    const q = new URLSearchParams({ all: String(all) });
    if (labels.length > 0) q.set('filters', JSON.stringify({ label: labels }));
    return this.get(`/containers/json?${q}`);
  }

  inspectContainer(id: string) {
    return this.get(`/containers/${pathPart(id)}/json`);
  }

  /**
   * One stats answer with the engine's own CPU window (`stream=false`): the engine answers at its
   * second sample after the request (it samples every container once a second, one after the
   * other), so `wait` must cover two sampling rounds.
   */
  containerStats(id: string, wait: number) {
    return this.get(`/containers/${pathPart(id)}/stats?stream=false`, wait);
  }

  /**
   * One sample, no CPU window (`one-shot=true`): taken at once by engines with moby/moby#46448
   * (24.0.7 and later); older ones wait for their next sampling round.
   */
  containerSample(id: string, wait: number) {
    return this.get(`/containers/${pathPart(id)}/stats?stream=false&one-shot=true`, wait);
  }

  /** Resolves after `ms`, or rejects as a request would at the deadline. */
  pause(ms: number): Promise<void> {
    const signal = this.bounds.signal;
    return new Promise((resolve, reject) => {
      const cut = () => {
        clearTimeout(timer);
        const reason = signal?.reason;
        reject(
          new WireError('deadline', reason instanceof Error ? reason.message : 'the source deadline passed'),
        );
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', cut);
        resolve();
      }, ms);
      if (signal?.aborted) cut();
      else signal?.addEventListener('abort', cut, { once: true });
    });
  }

  inspectImage(ref: string) {
    return this.get(`/images/${pathPart(ref)}/json`);
  }

  imageHistory(ref: string): Promise<Array<Record<string, unknown>>> {
    return this.get(`/images/${pathPart(ref)}/history`);
  }

  close(): void {
    this.agent.destroy();
    this.waitAgent.destroy();
  }
}

const hostPort = (a: DockerAddress) => `${a.host?.includes(':') ? `[${a.host}]` : a.host}:${a.port}`;

/** A read-only Engine API client for an address (see `dockerOptions`). */
export function readOnlyDocker(
  address: DockerAddress,
  bounds: EngineBounds = { idleMs: 30_000 },
): ReadOnlyDocker {
  return new ReadOnlyDocker(address, bounds);
}

/** The target status of a failed engine call. */
export function classifyError(err: unknown, where: string): TargetError {
  if (err instanceof TargetError) return err;
  if (err instanceof WireError) {
    if (err.kind === 'idle' || err.kind === 'deadline')
      return new TargetError('timeout', `${where}: ${err.message}`);
    const hint = err.kind === 'too-large' ? '' : ': is it a Docker engine?';
    return new TargetError('error', `${where}: ${err.message}${hint}`);
  }
  const e = err as { code?: string; statusCode?: number; message?: string };
  const msg = e.message ?? String(err);
  if (e.code === 'EACCES' || e.code === 'EPERM') {
    return new TargetError(
      'forbidden',
      `permission denied on ${where} (${e.code}): add the user to the docker group`,
    );
  }
  if (e.statusCode === 401)
    return new TargetError('auth-failed', `the engine refused the credentials: ${msg}`);
  if (e.statusCode === 403) return new TargetError('forbidden', `the engine refused the request: ${msg}`);
  if (
    ['ENOENT', 'ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'ENOTSOCK'].includes(e.code ?? '')
  ) {
    return new TargetError('unreachable', `no Docker engine at ${where} (${e.code})`);
  }
  if (['ECONNRESET', 'EPIPE'].includes(e.code ?? '') || /socket hang up/.test(msg)) {
    return new TargetError(
      'error',
      `${where} closed the connection (${e.code ?? msg}): is it a Docker engine?`,
    );
  }
  if (e.code === 'ETIMEDOUT' || /timeout/i.test(msg)) return new TargetError('timeout', `${where}: ${msg}`);
  if (/certificate|self.signed|SSL|TLS/i.test(msg)) return new TargetError('auth-failed', `TLS: ${msg}`);
  return new TargetError('error', `${where}: ${msg}`);
}
