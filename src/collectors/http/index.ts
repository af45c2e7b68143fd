// The http collector: live probes of the running API, only ever against the origin given.
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import type { TargetFacts, TargetStatus } from '../../core/facts.js';
import { type CollectContext, redactUrl, sourceDeadlineMs, type TargetSpec } from '../types.js';
import { h2cPriorKnowledge, type TlsInfo, tlsHandshake } from './h2.js';
import { runLoad } from './load.js';
import { classify, decodedSize, type ProbeError, request } from './request.js';
import {
  type HttpFacts,
  HttpFactsSchema,
  type HttpTargetOptions,
  HttpTargetOptionsSchema,
  type ResponseProbe,
} from './schema.js';

const STATUS_OF: Record<ProbeError['kind'], TargetStatus> = {
  unreachable: 'unreachable',
  timeout: 'timeout',
  tls: 'error',
  network: 'error',
  'too-large': 'error',
};

async function probe(
  origin: URL,
  p: string,
  agent: http.Agent,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<ResponseProbe> {
  const url = new URL(p, origin);
  const base = {
    path: p,
    contentType: null,
    contentEncoding: null,
    cacheControl: null,
    etag: null,
    lastModified: null,
    vary: null,
  };
  try {
    const r = await request(url, {
      agent,
      timeoutMs,
      signal,
      keepBody: true,
      headers: { 'accept-encoding': 'gzip, br' },
    });
    const h = (k: string) => {
      const v = r.headers[k];
      return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
    };
    const encoding = h('content-encoding');
    return {
      ...base,
      status: r.status,
      durationMs: Math.round(r.durationMs * 1000) / 1000,
      wireBytes: r.wireBytes,
      bodyBytes: await decodedSize(r.body, encoding ?? undefined, r.wireBytes),
      contentType: h('content-type'),
      contentEncoding: encoding,
      cacheControl: h('cache-control'),
      etag: h('etag'),
      lastModified: h('last-modified'),
      vary: h('vary'),
    };
  } catch (err) {
    const e = classify(err);
    return {
      ...base,
      status: null,
      error: `${e.kind}: ${e.message}`,
      durationMs: timeoutMs,
      wireBytes: 0,
      bodyBytes: 0,
    };
  }
}

/** GET routes of the app without path parameters, when an app directory is given. */
async function discoverPaths(appDir: string, projectDir: string): Promise<string[]> {
  const { collectApp } = await import('../app/index.js');
  const facts = await collectApp(path.resolve(projectDir, appDir));
  return [
    ...new Set(
      facts.routes
        .filter((r) => r.method.split(',').includes('GET') && !r.path.includes('{'))
        .map((r) => r.path),
    ),
  ];
}

export async function collectHttp(target: TargetSpec, ctx: CollectContext): Promise<TargetFacts<HttpFacts>> {
  const started = performance.now();
  const name = target.name ?? redactUrl(target.url);
  const done = (t: Omit<TargetFacts<HttpFacts>, 'target' | 'durationMs'>): TargetFacts<HttpFacts> => ({
    target: name,
    durationMs: Math.round(performance.now() - started),
    ...t,
  });
  let origin: URL;
  let opts: HttpTargetOptions;
  try {
    origin = new URL(new URL(target.url).origin);
    if (!/^https?:$/.test(origin.protocol)) throw new Error(`not an http(s) URL: ${target.url}`);
    opts = HttpTargetOptionsSchema.parse(target);
  } catch (err) {
    return done({ status: 'invalid', message: err instanceof Error ? err.message : String(err) });
  }
  const timeoutMs = Math.min(opts.requestTimeoutMs, ctx.timeoutMs);
  const deadlineMs = sourceDeadlineMs(ctx.timeoutMs);
  const signal = ctx.signal ?? AbortSignal.timeout(deadlineMs);
  const isTls = origin.protocol === 'https:';
  let tlsInfo: TlsInfo | null = null;
  let agent: http.Agent | undefined;
  try {
    const ca = opts.caFile ? await readFile(path.resolve(ctx.projectDir, opts.caFile)) : undefined;
    const tlsOpts = { rejectUnauthorized: !opts.insecure, ...(ca ? { ca } : {}) };
    if (isTls)
      tlsInfo = await tlsHandshake(origin, { timeoutMs, insecure: opts.insecure, ...(ca ? { ca } : {}) });
    agent = isTls ? new https.Agent({ keepAlive: true, ...tlsOpts }) : new http.Agent({ keepAlive: true });
    const health = await probe(origin, opts.healthPath, agent, timeoutMs, signal);
    if (health.status === null) {
      const err = classify(
        Object.assign(new Error(health.error ?? ''), {
          code: health.error?.includes('timeout') ? 'ETIMEDOUT' : '',
        }),
      );
      const kind = health.error?.split(':')[0] as ProbeError['kind'];
      return done({
        status: STATUS_OF[kind] ?? 'error',
        message: `${opts.healthPath}: ${health.error ?? err.message}`,
      });
    }
    const paths =
      opts.paths ?? (opts.appDir ? await discoverPaths(opts.appDir, ctx.projectDir) : undefined) ?? [];
    const probed = (paths.length > 0 ? paths : ['/']).filter((p) => p !== opts.healthPath);
    const endpoints: ResponseProbe[] = [];
    for (const p of probed) endpoints.push(await probe(origin, p, agent, timeoutMs, signal));
    const http2 = isTls
      ? {
          supported: tlsInfo?.alpn === 'h2',
          protocol: tlsInfo?.alpn ?? 'http/1.1',
          via: 'alpn' as const,
          note: `ALPN negotiated ${tlsInfo?.alpn ?? 'nothing (HTTP/1.1)'} over ${tlsInfo?.protocol ?? 'TLS'}`,
        }
      : (await h2cPriorKnowledge(origin, opts.healthPath, Math.min(timeoutMs, 2000)))
        ? {
            supported: true,
            protocol: 'h2c',
            via: 'h2c-prior-knowledge' as const,
            note: 'cleartext HTTP/2 with prior knowledge; browsers only use HTTP/2 over TLS',
          }
        : {
            supported: false,
            protocol: 'http/1.1',
            via: 'none' as const,
            note: 'cleartext origin: no h2c with prior knowledge; browsers only use HTTP/2 over TLS',
          };
    const loadPath =
      opts.load.path ?? endpoints.find((e) => e.status !== null && e.status < 300)?.path ?? opts.healthPath;
    // The load ends one request timeout before the deadline, so its last requests can finish.
    const remaining = deadlineMs - (performance.now() - started) - timeoutMs - 500;
    const durationMs = Math.max(200, Math.min(opts.load.durationMs, remaining));
    const load = await runLoad({
      url: new URL(loadPath, origin),
      concurrency: opts.load.concurrency,
      durationMs,
      maxRequests: opts.load.maxRequests,
      timeoutMs,
      tls: tlsOpts,
      signal,
    });
    const data: HttpFacts = {
      origin: redactUrl(origin.toString()),
      tls: tlsInfo ? { ...tlsInfo, insecure: opts.insecure } : null,
      http2,
      health,
      endpoints,
      load,
    };
    return done({ status: 'ok', data: HttpFactsSchema.parse(data) });
  } catch (err) {
    const e = classify(err);
    const hint =
      e.kind === 'tls' && !opts.insecure
        ? ' (set `insecure: true` on the target to probe a self-signed server, or `caFile`)'
        : '';
    return done({ status: STATUS_OF[e.kind], message: `${e.message}${hint}` });
  } finally {
    agent?.destroy();
  }
}

export const collect = collectHttp;
