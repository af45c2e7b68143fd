// HTTP/2 detection: ALPN over TLS, or h2c with prior knowledge on a cleartext origin.
import http2 from 'node:http2';
import tls from 'node:tls';
import { classify } from './request.js';

export interface TlsInfo {
  protocol: string | null;
  alpn: string | null;
  authorized: boolean;
  authorizationError?: string;
}

/** A TLS handshake offering h2 and http/1.1; resolves with what was negotiated, rejects with a ProbeError. */
export function tlsHandshake(
  url: URL,
  opts: { timeoutMs: number; insecure: boolean; ca?: Buffer; signal?: AbortSignal },
): Promise<TlsInfo> {
  return new Promise((resolve, reject) => {
    const cut = () => {
      clearTimeout(timer);
      socket.destroy();
      reject(classify(Object.assign(new Error('cut at the source deadline'), { code: 'ETIMEDOUT' })));
    };
    const socket = tls.connect({
      host: url.hostname,
      port: Number(url.port || 443),
      servername: /^[\d.]+$|:/.test(url.hostname) ? undefined : url.hostname,
      ALPNProtocols: ['h2', 'http/1.1'],
      rejectUnauthorized: !opts.insecure,
      ...(opts.ca ? { ca: opts.ca } : {}),
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        classify(
          Object.assign(new Error(`TLS handshake not done within ${opts.timeoutMs} ms`), {
            code: 'ETIMEDOUT',
          }),
        ),
      );
    }, opts.timeoutMs);
    if (opts.signal?.aborted) cut();
    else opts.signal?.addEventListener('abort', cut, { once: true });
    socket.once('close', () => opts.signal?.removeEventListener('abort', cut));
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const err = socket.authorizationError;
      resolve({
        protocol: socket.getProtocol(),
        alpn: socket.alpnProtocol || null,
        authorized: socket.authorized,
        ...(err ? { authorizationError: String(err) } : {}),
      });
      socket.end();
    });
    socket.once('error', (e) => {
      clearTimeout(timer);
      reject(classify(e));
    });
  });
}

/** h2c prior knowledge: an HTTP/2 GET on a cleartext connection; false when the server does not speak it. */
export function h2cPriorKnowledge(
  url: URL,
  path: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<boolean> {
  return new Promise((resolve) => {
    const session = http2.connect(url.origin);
    let done = false;
    const cut = () => finish(false);
    const finish = (ok: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', cut);
      session.destroy();
      resolve(ok);
    };
    // At the source deadline the session is closed, so nothing of the probe outlives the run.
    if (signal?.aborted) queueMicrotask(cut);
    else signal?.addEventListener('abort', cut, { once: true });
    const timer = setTimeout(() => finish(false), timeoutMs);
    session.on('error', () => finish(false));
    session.on('goaway', () => finish(false));
    const req = session.request({ ':path': path, ':method': 'GET' });
    req.on('response', () => finish(true));
    req.on('error', () => finish(false));
    req.end();
  });
}
