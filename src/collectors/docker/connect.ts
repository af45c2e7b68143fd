import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { join } from 'node:path';
import Docker from 'dockerode';
import type { TargetStatus } from '../../core/facts.js';

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

export interface ConnectOptions {
  certPath?: string;
  tlsVerify?: boolean;
  timeoutMs?: number;
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
 * dockerode options for `unix:///path`, a bare socket path, `tcp://host:port` (TLS when a cert
 * path or `DOCKER_TLS_VERIFY` is given, or on port 2376), `http://` and `https://`.
 * Every field is set explicitly: docker-modem would otherwise fill the gaps from the environment.
 */
export function dockerOptions(
  url: string,
  opts: ConnectOptions = {},
  env: Env = process.env,
): Docker.DockerOptions {
  const address = url || env.DOCKER_HOST || DEFAULT_DOCKER_HOST;
  const base = { host: undefined, port: undefined, ca: undefined, cert: undefined, key: undefined };
  if (address.startsWith('/')) return { ...base, socketPath: address, timeout: opts.timeoutMs };
  let u: URL;
  try {
    u = new URL(address);
  } catch {
    throw new TargetError('invalid', 'not a Docker address (expected unix:///path or tcp://host:port)');
  }
  if (u.protocol === 'unix:') {
    return { ...base, socketPath: decodeURIComponent(u.pathname), timeout: opts.timeoutMs };
  }
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
  if (!wantsTls) return { ...base, host, port, protocol: 'http', timeout: opts.timeoutMs };
  const files = certPath ? tlsFiles(certPath) : {};
  const verify = opts.tlsVerify ?? true;
  return {
    ...base,
    host,
    port,
    protocol: 'https',
    ...files,
    agent: verify ? undefined : new Agent({ rejectUnauthorized: false, ...files }),
    timeout: opts.timeoutMs,
  } as Docker.DockerOptions;
}

/**
 * A dockerode client that can only read: every request of dockerode goes through `modem.dial`,
 * and the wrapper refuses anything but GET before it reaches the wire.
 */
export function readOnlyDocker(options: Docker.DockerOptions): Docker {
  const docker = new Docker(options);
  const modem = docker.modem as unknown as {
    dial(o: { method?: string; path?: string }, cb: (err: unknown, data?: unknown) => void): void;
  };
  const dial = modem.dial.bind(modem);
  modem.dial = (o, cb) => {
    if ((o.method ?? 'GET').toUpperCase() !== 'GET') {
      cb(
        new RefusedRequestError(
          `strisk refuses ${o.method} ${o.path ?? ''}: the docker collector only reads`,
        ),
      );
      return;
    }
    dial(o, cb);
  };
  return docker;
}

/** The target status of a failed engine call. */
export function classifyError(err: unknown, where: string): TargetError {
  if (err instanceof TargetError) return err;
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
