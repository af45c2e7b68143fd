// One HTTP/1.1 request that cannot outgrow its budget: the body is capped, a silent server is
// dropped after `idleMs` without a byte, and the caller's signal cancels it at the source deadline.
// The Docker and ClickHouse collectors speak HTTP through this and nothing else.
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';

/** Node's own limit on the response head; stated so a huge header is named, not mysterious. */
export const MAX_HEADER_BYTES = 16 * 1024;

export type WireFailure = 'idle' | 'deadline' | 'too-large' | 'not-http' | 'closed';

/** A request that ended on one of the bounds, or on a broken answer. */
export class WireError extends Error {
  constructor(
    readonly kind: WireFailure,
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'WireError';
  }
}

export interface BoundedRequestOptions {
  method: 'GET' | 'POST';
  /** `http://` or `https://` origin; or give `socketPath` for a unix socket. */
  origin?: string;
  socketPath?: string;
  /** Path with query string. */
  path: string;
  headers?: Record<string, string>;
  body?: string;
  agent?: http.Agent;
  /** TLS material for https (ignored with a custom agent, which carries its own). */
  tls?: Pick<https.RequestOptions, 'ca' | 'cert' | 'key' | 'rejectUnauthorized'>;
  /** The largest body accepted; past it the request is destroyed. */
  maxBytes: number;
  /** Keep only the first `keepBytes` of the body (the rest is counted, not held); default all. */
  keepBytes?: number;
  /**
   * Reads the body as it arrives: called once with the status and headers, it returns the function
   * each chunk is handed to (none of them is then kept), or nothing to keep the body as usual. A
   * throw from either ends the request with that error.
   */
  stream?: (status: number, headers: http.IncomingHttpHeaders) => ((chunk: Buffer) => void) | undefined;
  /** Longest wait for the server with nothing arriving: connecting, first byte, between chunks. */
  idleMs: number;
  /** Aborted at the source's overall deadline. */
  signal?: AbortSignal;
}

export interface BoundedResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The body, or its first `keepBytes`. */
  body: Buffer;
  /** Bytes of body received. */
  size: number;
}

const NOT_HTTP = /^HPE_/;

function wireError(err: unknown): Error {
  if (err instanceof WireError) return err;
  const e = err as NodeJS.ErrnoException;
  const code = e?.code ?? '';
  if (code === 'HPE_HEADER_OVERFLOW') {
    return new WireError('too-large', `the answer's headers exceed ${MAX_HEADER_BYTES / 1024} KiB`, code);
  }
  if (NOT_HTTP.test(code)) {
    return new WireError('not-http', `the answer is not HTTP (${code}: ${e.message})`, code);
  }
  if (code === 'ECONNRESET' && /aborted|socket hang up/.test(e.message)) {
    return new WireError('closed', `the server closed the connection mid-answer (${e.message})`, code);
  }
  return err as Error;
}

/**
 * Sends one request and reads the whole (capped) answer. Rejects with a WireError on a bound, or
 * with the socket's error (its `code` kept) on a connection failure.
 *
 * The idle timer measures the server, not this process: when it fires, the decision waits for one
 * turn of the event loop so that bytes already received (a starved process reads them late) count
 * as activity first.
 */
export function boundedRequest(opts: BoundedRequestOptions): Promise<BoundedResponse> {
  return send(opts, true);
}

function send(opts: BoundedRequestOptions, mayRetry: boolean): Promise<BoundedResponse> {
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) {
      reject(new WireError('deadline', String(opts.signal.reason ?? 'the source deadline passed')));
      return;
    }
    const isTls = opts.origin?.startsWith('https:') ?? false;
    const mod = isTls ? https : http;
    const target = opts.origin ? new URL(opts.path, opts.origin) : undefined;
    let settled = false;
    let lastActivity = performance.now();
    let idleTimer: NodeJS.Timeout | undefined;
    let socket: Socket | undefined;
    const touch = () => {
      lastActivity = performance.now();
    };

    const settle = () => {
      settled = true;
      clearTimeout(idleTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      socket?.removeListener('data', touch);
      socket?.removeListener('connect', touch);
    };

    const finish = (err: Error | null, value?: BoundedResponse) => {
      if (settled) return;
      settle();
      if (err) {
        req.destroy();
        reject(wireError(err));
      } else resolve(value!);
    };

    const armIdle = (ms: number) => {
      idleTimer = setTimeout(() => {
        // Let the poll phase deliver what is already in the socket before judging the server.
        setImmediate(() => {
          if (settled) return;
          const quiet = performance.now() - lastActivity;
          if (quiet >= opts.idleMs) {
            finish(new WireError('idle', `no answer from the server for ${opts.idleMs} ms`));
          } else armIdle(opts.idleMs - quiet);
        });
      }, ms);
    };

    const onAbort = () => {
      const reason = opts.signal?.reason;
      finish(
        new WireError(
          'deadline',
          reason instanceof Error ? reason.message : String(reason ?? 'the source deadline passed'),
        ),
      );
    };

    const headers: Record<string, string> = { 'user-agent': 'strisk', ...opts.headers };
    if (opts.body !== undefined) headers['content-length'] = String(Buffer.byteLength(opts.body));
    const base: http.RequestOptions = {
      method: opts.method,
      headers,
      maxHeaderSize: MAX_HEADER_BYTES,
      ...(opts.agent ? { agent: opts.agent } : { agent: false }),
      ...(isTls && !opts.agent ? opts.tls : {}),
    };
    const req = target
      ? mod.request(target, base)
      : http.request({ ...base, socketPath: opts.socketPath, path: opts.path });

    // The wait restarts whenever this side makes progress too: a process starved before its
    // request was even written must not blame the server for it.
    req.on('socket', (s) => {
      socket = s;
      s.on('data', touch);
      s.once('connect', touch);
      touch();
    });
    req.on('finish', touch);
    let answered = false;
    req.on('error', (e) => {
      // A kept-alive connection the server closed while it sat in the pool: the request never
      // reached the server. Every request here is a read, so it is sent again, once, afresh.
      const code = (e as NodeJS.ErrnoException).code;
      if (
        mayRetry &&
        !settled &&
        !answered &&
        req.reusedSocket &&
        (code === 'ECONNRESET' || code === 'EPIPE')
      ) {
        settle();
        send(opts, false).then(resolve, reject);
        return;
      }
      finish(e);
    });
    req.on('response', (res) => {
      answered = true;
      touch();
      const chunks: Buffer[] = [];
      const keep = opts.keepBytes ?? opts.maxBytes;
      let size = 0;
      let consume: ((chunk: Buffer) => void) | undefined;
      try {
        consume = opts.stream?.(res.statusCode ?? 0, res.headers);
      } catch (e) {
        finish(e as Error);
        return;
      }
      res.on('data', (c: Buffer) => {
        touch();
        size += c.length;
        if (size > opts.maxBytes) {
          finish(new WireError('too-large', `the answer exceeds ${opts.maxBytes} bytes`));
          return;
        }
        if (settled) return;
        if (consume) {
          try {
            consume(c);
          } catch (e) {
            finish(e as Error);
          }
        } else if (size - c.length < keep)
          chunks.push(size > keep ? c.subarray(0, c.length - (size - keep)) : c);
      });
      res.on('error', (e) => finish(e));
      res.on('aborted', () =>
        finish(new WireError('closed', 'the server closed the connection mid-answer', 'ECONNRESET')),
      );
      res.on('end', () => {
        if (!res.complete) {
          finish(new WireError('closed', 'the server closed the connection mid-answer', 'ECONNRESET'));
          return;
        }
        finish(null, {
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks),
          size,
        });
      });
    });
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    armIdle(opts.idleMs);
    req.end(opts.body);
  });
}
