// One HTTP/1.1 request over node:http(s) with a deadline; the body read (bounded) and decoded.
import http from 'node:http';
import https from 'node:https';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

export const MAX_BODY_BYTES = 8 * 1024 * 1024;

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  wireBytes: number;
  body: Buffer;
  durationMs: number;
}

export type ErrorKind = 'unreachable' | 'timeout' | 'tls' | 'network';

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

export interface RequestOptions {
  agent: http.Agent;
  timeoutMs: number;
  headers?: Record<string, string>;
  /** Read and keep the body (else it is drained and counted only). */
  keepBody?: boolean;
}

export function request(url: URL, opts: RequestOptions): Promise<RawResponse> {
  const started = performance.now();
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(
      url,
      { method: 'GET', agent: opts.agent, headers: { 'user-agent': 'strisk', ...opts.headers } },
      (res) => {
        const chunks: Buffer[] = [];
        let wire = 0;
        res.on('data', (c: Buffer) => {
          wire += c.length;
          if (opts.keepBody && wire <= MAX_BODY_BYTES) chunks.push(c);
        });
        res.on('end', () => {
          clearTimeout(timer);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            wireBytes: wire,
            body: Buffer.concat(chunks),
            durationMs: performance.now() - started,
          });
        });
        res.on('error', (e) => fail(e));
      },
    );
    const fail = (e: unknown) => {
      clearTimeout(timer);
      req.destroy();
      reject(classify(e));
    };
    const timer = setTimeout(
      () => fail(new ProbeError('timeout', `no complete answer within ${opts.timeoutMs} ms`, 'ETIMEDOUT')),
      opts.timeoutMs,
    );
    req.on('error', fail);
    req.end();
  });
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
