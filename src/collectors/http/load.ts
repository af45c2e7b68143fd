// A short load bounded in time and requests, over a keep-alive pool, into an HDR histogram.
import http from 'node:http';
import https from 'node:https';
import * as hdr from 'hdr-histogram-js';
import type { LoadResult } from './schema.js';

export interface LoadSpec {
  url: URL;
  concurrency: number;
  durationMs: number;
  maxRequests: number;
  timeoutMs: number;
  tls?: https.AgentOptions;
  /** The source deadline: in-flight requests are cut and no new one starts. */
  signal?: AbortSignal;
}

const round = (n: number) => Math.round(n * 1000) / 1000;

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const isTls = spec.url.protocol === 'https:';
  const agentOpts = {
    keepAlive: true,
    maxSockets: spec.concurrency,
    maxFreeSockets: spec.concurrency,
    scheduling: 'fifo' as const,
  };
  const agent = isTls ? new https.Agent({ ...agentOpts, ...spec.tls }) : new http.Agent(agentOpts);
  const request = isTls ? https.request : http.request;
  const histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
  });
  const kinds = { status4xx: 0, status5xx: 0, network: 0, timeout: 0 };
  const sockets = new WeakSet<object>();
  let connections = 0;
  let issued = 0;
  let completed = 0;
  let firstError: string | undefined;
  const target = {
    hostname: spec.url.hostname,
    port: spec.url.port,
    path: `${spec.url.pathname}${spec.url.search}`,
    agent,
    headers: { 'user-agent': 'strisk-load' },
  };
  const started = performance.now();
  const deadline = started + spec.durationMs;

  const inFlight = new Set<http.ClientRequest>();
  const cut = () => {
    for (const req of inFlight) req.destroy();
  };
  spec.signal?.addEventListener('abort', cut, { once: true });

  const one = () =>
    new Promise<void>((resolve) => {
      const t0 = process.hrtime.bigint();
      let settled = false;
      const done = (kind?: keyof typeof kinds, err?: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        completed++;
        histogram.recordValue(Math.max(1, Number((process.hrtime.bigint() - t0) / 1000n)));
        if (kind) {
          kinds[kind]++;
          firstError ??= err;
        }
        resolve();
      };
      const req = request(target, (res) => {
        res.on('data', () => {});
        res.on('end', () => {
          const s = res.statusCode ?? 0;
          done(
            s >= 500 ? 'status5xx' : s >= 400 ? 'status4xx' : undefined,
            s >= 400 ? `HTTP ${s}` : undefined,
          );
        });
        res.on('error', (e) => done('network', e.message));
      });
      req.on('socket', (s) => {
        if (!sockets.has(s)) {
          sockets.add(s);
          connections++;
        }
      });
      req.on('error', (e) => done('network', e.message));
      inFlight.add(req);
      req.on('close', () => {
        inFlight.delete(req);
        // Destroyed at the deadline before its answer ended (after an answer, `done` already ran).
        done('network', 'cut at the source deadline');
      });
      const timer = setTimeout(() => {
        req.destroy();
        done('timeout', `no answer within ${spec.timeoutMs} ms`);
      }, spec.timeoutMs);
      req.end();
    });

  const worker = async () => {
    while (issued < spec.maxRequests && performance.now() < deadline && !spec.signal?.aborted) {
      issued++;
      await one();
    }
  };
  await Promise.all(Array.from({ length: spec.concurrency }, worker));
  const elapsedMs = performance.now() - started;
  spec.signal?.removeEventListener('abort', cut);
  agent.destroy();
  const errors = kinds.status4xx + kinds.status5xx + kinds.network + kinds.timeout;
  const ms = (us: number) => round(us / 1000);
  return {
    path: target.path,
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
