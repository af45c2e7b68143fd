// One HTTP/1.1 request over node:http(s), bounded (see bounded-request); the body read and decoded.
import type http from 'node:http';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { boundedRequest, WireError } from '../bounded-request.js';

export const MAX_BODY_BYTES = 8 * 1024 * 1024;

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  wireBytes: number;
  body: Buffer;
  durationMs: number;
}

export type ErrorKind = 'unreachable' | 'timeout' | 'tls' | 'network' | 'too-large';

export class ProbeError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ALTNAME|EPROTO|ERR_SSL|ERR_TLS|HANDSHAKE/;

export function classify(err: unknown): ProbeError {
  if (err instanceof ProbeError) return err;
  if (err instanceof WireError) {
    if (err.kind === 'idle' || err.kind === 'deadline')
      return new ProbeError('timeout', err.message, 'ETIMEDOUT');
    return new ProbeError(err.kind === 'too-large' ? 'too-large' : 'network', err.message, err.code);
  }
  const e = err as NodeJS.ErrnoException;
  const code = e?.code ?? '';
  const msg = e?.message ?? String(err);
  if (/ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|EADDRNOTAVAIL/.test(code))
    return new ProbeError('unreachable', `${code}: ${msg}`, code);
  if (/ETIMEDOUT|ESOCKETTIMEDOUT/.test(code)) return new ProbeError('timeout', msg, code);
  if (TLS_CODES.test(code) || /certificate|ssl|tls/i.test(msg))
    return new ProbeError('tls', `TLS: ${code ? `${code}: ` : ''}${msg}`, code);
  return new ProbeError('network', code ? `${code}: ${msg}` : msg, code);
}

/** A body larger than this is not read to its end: the probe stops and names the size. */
export const MAX_DRAIN_BYTES = 64 * 1024 * 1024;

export interface RequestOptions {
  agent: http.Agent;
  /** The longest wait with nothing from the server (connect, first byte, between chunks). */
  timeoutMs: number;
  headers?: Record<string, string>;
  /** Read and keep the body (else it is drained and counted only). */
  keepBody?: boolean;
  /** The source deadline. */
  signal?: AbortSignal;
}

/** One GET: the body kept up to MAX_BODY_BYTES, counted up to MAX_DRAIN_BYTES, then cut. */
export async function request(url: URL, opts: RequestOptions): Promise<RawResponse> {
  const started = performance.now();
  try {
    const res = await boundedRequest({
      method: 'GET',
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      agent: opts.agent,
      headers: opts.headers,
      maxBytes: MAX_DRAIN_BYTES,
      keepBytes: opts.keepBody ? MAX_BODY_BYTES : 0,
      idleMs: opts.timeoutMs,
      signal: opts.signal,
    });
    return {
      status: res.status,
      headers: res.headers,
      wireBytes: res.size,
      body: res.body,
      durationMs: performance.now() - started,
    };
  } catch (err) {
    throw classify(err);
  }
}

const gunzip = promisify(zlib.gunzip);
const brotli = promisify(zlib.brotliDecompress);
const inflate = promisify(zlib.inflate);

/** The decoded size of a body; the wire size when the encoding is unknown or the body was cut. */
export async function decodedSize(
  body: Buffer,
  encoding: string | undefined,
  wireBytes: number,
): Promise<number> {
  if (wireBytes > MAX_BODY_BYTES) return wireBytes;
  try {
    if (encoding === 'gzip' || encoding === 'x-gzip') return (await gunzip(body)).length;
    if (encoding === 'br') return (await brotli(body)).length;
    if (encoding === 'deflate') return (await inflate(body)).length;
  } catch {
    return body.length;
  }
  return body.length;
}
