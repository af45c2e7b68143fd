// A short load bounded in time and requests, over kept-alive connections, into an HDR histogram.
// Plain sockets and one pre-encoded GET, not node:http's client: the probe must measure the server,
// and node:http's per-request cost (a ClientRequest, an IncomingMessage, the agent's queue) held it
// to 0.4-0.8 × autocannon's requests/s (bench/http.mjs). The answer is parsed only as far as its
// framing needs (status, Content-Length or chunked, Connection: close); the body is counted, not kept.
import net from 'node:net';
import tls from 'node:tls';
import * as hdr from 'hdr-histogram-js';
import { MAX_HEADER_BYTES } from '../bounded-request.js';
import type { LoadResult } from './schema.js';

export interface LoadSpec {
  url: URL;
  concurrency: number;
  durationMs: number;
  maxRequests: number;
  /** The longest one request may take, connecting included. */
  timeoutMs: number;
  tls?: Pick<tls.ConnectionOptions, 'ca' | 'rejectUnauthorized'>;
  /** The load's deadline: in-flight requests are cut and no new one starts. */
  signal?: AbortSignal;
}

const round = (n: number) => Math.round(n * 1000) / 1000;
type ErrorKind = 'status4xx' | 'status5xx' | 'network' | 'timeout';

/** The longest chunk-size or trailer line accepted in a chunked body. */
const MAX_LINE_BYTES = 4096;
const CRLF2 = Buffer.from('\r\n\r\n');

/** What the framing of one answer says, from its head. */
interface Head {
  status: number;
  /** Bytes of body to come; -1 chunked; -2 until the connection closes. */
  length: number;
  close: boolean;
}

class FramingError extends Error {}

function parseHead(text: string): Head {
  const lines = text.split('\r\n');
  const m = /^HTTP\/1\.([01]) (\d{3})/.exec(lines[0] ?? '');
  if (!m) throw new FramingError(`not an HTTP/1.x answer: ${JSON.stringify((lines[0] ?? '').slice(0, 40))}`);
  const status = Number(m[2]);
  let close = m[1] === '0';
  let length = -2;
  let chunked = false;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line
      .slice(colon + 1)
      .trim()
      .toLowerCase();
    if (name === 'content-length') {
      if (!/^\d+$/.test(value)) throw new FramingError(`bad Content-Length: ${value.slice(0, 20)}`);
      length = Number(value);
    } else if (name === 'transfer-encoding') chunked = value.split(',').at(-1)!.trim() === 'chunked';
    else if (name === 'connection') {
      if (value.includes('close')) close = true;
      else if (value.includes('keep-alive')) close = false;
    }
  }
  if (status === 204 || status === 304 || (status >= 100 && status < 200)) length = 0;
  else if (chunked) length = -1;
  return { status, length, close };
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const isTls = spec.url.protocol === 'https:';
  const host = spec.url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = Number(spec.url.port || (isTls ? 443 : 80));
  const path = `${spec.url.pathname}${spec.url.search}`;
  const request = Buffer.from(
    `GET ${path} HTTP/1.1\r\nHost: ${spec.url.host}\r\nUser-Agent: strisk-load\r\nAccept: */*\r\n\r\n`,
    'latin1',
  );
  const histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
  });
  const kinds = { status4xx: 0, status5xx: 0, network: 0, timeout: 0 };
  let connections = 0;
  let issued = 0;
  let completed = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const deadline = started + spec.durationMs;
  const mayIssue = () => issued < spec.maxRequests && performance.now() < deadline && !spec.signal?.aborted;

  const record = (t0: number, kind?: ErrorKind, err?: string) => {
    completed++;
    histogram.recordValue(Math.max(1, Math.round((performance.now() - t0) * 1000)));
    if (kind) {
      kinds[kind]++;
      firstError ??= err;
    }
  };

  /** One connection's worth of requests, one at a time; a new socket when the server closes one. */
  class Worker {
    socket: net.Socket | null = null;
    /** When the request in flight was issued; 0 when none is. */
    t0 = 0;
    head: Head | null = null;
    pending: Buffer | null = null;
    remaining = 0;
    chunkState: 'size' | 'data' | 'crlf' | 'trailers' = 'size';
    done!: () => void;
    finished = new Promise<void>((resolve) => {
      this.done = resolve;
    });

    next(): void {
      if (!mayIssue()) {
        this.stop();
        return;
      }
      issued++;
      this.t0 = performance.now();
      this.head = null;
      this.pending = null;
      if (this.socket) this.socket.write(request);
      else this.connect();
    }

    connect(): void {
      connections++;
      const s = isTls
        ? tls.connect({
            host,
            port,
            servername: net.isIP(host) ? undefined : host,
            ALPNProtocols: ['http/1.1'],
            ...spec.tls,
          })
        : net.connect({ host, port });
      this.socket = s;
      s.setNoDelay(true);
      s.once(isTls ? 'secureConnect' : 'connect', () => s.write(request));
      s.on('data', (chunk: Buffer) => {
        if (this.socket === s) this.onData(chunk);
      });
      s.on('error', (e) => {
        if (this.socket === s) this.fail('network', e.message);
      });
      s.on('close', () => {
        if (this.socket !== s) return;
        if (this.t0 !== 0 && this.head?.length === -2) this.complete();
        else if (this.t0 !== 0)
          this.fail('network', 'the server closed the connection before the answer ended');
        else this.socket = null;
      });
    }

    onData(chunk: Buffer): void {
      let buf = chunk;
      try {
        while (buf.length > 0) {
          if (this.t0 === 0) throw new FramingError('the server sent bytes no request asked for');
          if (this.head === null) {
            const all = this.pending ? Buffer.concat([this.pending, buf]) : buf;
            const end = all.indexOf(CRLF2);
            if (end < 0) {
              if (all.length > MAX_HEADER_BYTES)
                throw new FramingError(`the answer's headers exceed ${MAX_HEADER_BYTES / 1024} KiB`);
              this.pending = all;
              return;
            }
            this.pending = null;
            const head = parseHead(all.toString('latin1', 0, end));
            buf = all.subarray(end + 4);
            // An interim answer (100 Continue, 103 Early Hints): the real one follows.
            if (head.status >= 100 && head.status < 200) continue;
            this.head = head;
            this.remaining = head.length;
            this.chunkState = 'size';
            if (head.length === 0) {
              if (buf.length > 0) throw new FramingError('the server sent bytes no request asked for');
              this.complete();
              return;
            }
            continue;
          }
          if (this.head.length === -2) return; // until the connection closes
          if (this.head.length >= 0) {
            const n = Math.min(this.remaining, buf.length);
            this.remaining -= n;
            buf = buf.subarray(n);
            if (this.remaining === 0) {
              if (buf.length > 0) throw new FramingError('the server sent bytes no request asked for');
              this.complete();
              return;
            }
            continue;
          }
          buf = this.chunked(buf);
        }
      } catch (err) {
        this.fail('network', err instanceof Error ? err.message : String(err));
      }
    }

    /** Consumes chunked framing from `buf`; returns what is left after it. */
    chunked(buf: Buffer): Buffer {
      if (this.chunkState === 'data') {
        const n = Math.min(this.remaining, buf.length);
        this.remaining -= n;
        if (this.remaining === 0) this.chunkState = 'crlf';
        return buf.subarray(n);
      }
      if (this.chunkState === 'crlf' && (this.pending?.length ?? 0) + buf.length < 2) {
        this.pending = this.pending ? Buffer.concat([this.pending, buf]) : buf;
        return Buffer.alloc(0);
      }
      // A line: the chunk size, the CRLF after a chunk's data, or a trailer.
      const all = this.pending ? Buffer.concat([this.pending, buf]) : buf;
      const eol = all.indexOf('\r\n');
      if (eol < 0) {
        if (all.length > MAX_LINE_BYTES) throw new FramingError('a chunk-size line is too long');
        this.pending = all;
        return Buffer.alloc(0);
      }
      this.pending = null;
      const line = all.toString('latin1', 0, eol);
      const rest = all.subarray(eol + 2);
      if (this.chunkState === 'crlf') {
        if (line !== '') throw new FramingError('a chunk is longer than its size');
        this.chunkState = 'size';
      } else if (this.chunkState === 'size') {
        const size = Number.parseInt(line.split(';')[0]!.trim(), 16);
        if (!Number.isFinite(size) || size < 0)
          throw new FramingError(`bad chunk size: ${line.slice(0, 20)}`);
        if (size === 0) this.chunkState = 'trailers';
        else {
          this.remaining = size;
          this.chunkState = 'data';
        }
      } else if (line === '') {
        if (rest.length > 0) throw new FramingError('the server sent bytes no request asked for');
        this.complete();
        return Buffer.alloc(0);
      }
      return rest;
    }

    complete(): void {
      const { status, close } = this.head!;
      const t0 = this.t0;
      this.t0 = 0;
      record(
        t0,
        status >= 500 ? 'status5xx' : status >= 400 ? 'status4xx' : undefined,
        status >= 400 ? `HTTP ${status}` : undefined,
      );
      if (close) this.drop();
      this.next();
    }

    fail(kind: ErrorKind, message: string): void {
      const t0 = this.t0;
      this.drop();
      if (t0 === 0) return;
      this.t0 = 0;
      record(t0, kind, message);
      this.next();
    }

    /** Closes this worker's socket; its events are ignored from then on. */
    drop(): void {
      const s = this.socket;
      this.socket = null;
      this.head = null;
      this.pending = null;
      s?.destroy();
    }

    stop(): void {
      this.drop();
      this.done();
    }
  }

  const workers = Array.from({ length: spec.concurrency }, () => new Worker());
  // One timer for every request's time limit, not one per request.
  const sweep = setInterval(
    () => {
      const now = performance.now();
      for (const w of workers) {
        if (w.t0 !== 0 && now - w.t0 >= spec.timeoutMs)
          w.fail('timeout', `no answer within ${spec.timeoutMs} ms`);
      }
    },
    Math.max(10, Math.min(100, spec.timeoutMs / 4)),
  );
  const cut = () => {
    for (const w of workers) {
      if (w.t0 !== 0) w.fail('network', 'cut at the load deadline');
      else w.stop();
    }
  };
  spec.signal?.addEventListener('abort', cut, { once: true });
  for (const w of workers) w.next();
  await Promise.all(workers.map((w) => w.finished));
  const elapsedMs = performance.now() - started;
  clearInterval(sweep);
  spec.signal?.removeEventListener('abort', cut);
  const errors = kinds.status4xx + kinds.status5xx + kinds.network + kinds.timeout;
  const ms = (us: number) => round(us / 1000);
  return {
    path,
    concurrency: spec.concurrency,
    durationMs: spec.durationMs,
    maxRequests: spec.maxRequests,
    elapsedMs: round(elapsedMs),
    stoppedBy: issued >= spec.maxRequests ? 'requests' : 'duration',
    requests: completed,
    errors,
    errorsByKind: kinds,
    throughputRps: round(completed / (elapsedMs / 1000)),
    latencyMs:
      completed > 0
        ? {
            min: ms(histogram.minNonZeroValue),
            mean: ms(histogram.mean),
            p50: ms(histogram.getValueAtPercentile(50)),
            p90: ms(histogram.getValueAtPercentile(90)),
            p95: ms(histogram.getValueAtPercentile(95)),
            p99: ms(histogram.getValueAtPercentile(99)),
            max: ms(histogram.maxValue),
          }
        : null,
    connections,
    ...(firstError ? { firstError } : {}),
  };
}
