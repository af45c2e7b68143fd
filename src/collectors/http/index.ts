// The http collector: live probes of the running API, only ever against the origin given.
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import type { TargetFacts, TargetStatus } from '../../core/facts.js';
import { redactUrl } from '../../core/redact-url.js';
import { type CollectContext, sourceDeadlineMs, type TargetSpec } from '../types.js';
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

interface Parsed {
  name: string;
  origin: URL;
  opts: HttpTargetOptions;
  /** The per-request timeout: the target's `requestTimeoutMs`, at most `--timeout`. */
  timeoutMs: number;
}

function parseTarget(target: TargetSpec, ctx: CollectContext): Parsed | { name: string; error: string } {
  const name = target.name ?? redactUrl(target.url);
  try {
    const origin = new URL(new URL(target.url).origin);
    if (!/^https?:$/.test(origin.protocol)) throw new Error(`not an http(s) URL: ${target.url}`);
    const opts = HttpTargetOptionsSchema.parse(target);
    return { name, origin, opts, timeoutMs: Math.min(opts.requestTimeoutMs, ctx.timeoutMs) };
  } catch (err) {
    return { name, error: err instanceof Error ? err.message : String(err) };
  }
}

async function tlsOptionsOf(opts: HttpTargetOptions, projectDir: string) {
  const ca = opts.caFile ? await readFile(path.resolve(projectDir, opts.caFile)) : undefined;
  return { rejectUnauthorized: !opts.insecure, ...(ca ? { ca } : {}) };
}

/**
 * The probes: health, the endpoints, HTTP/2; `load` is `null` here. Under the source's deadline,
 * with the other sources. The load is `collectLoad`, run after every source has finished.
 */
export async function collect(target: TargetSpec, ctx: CollectContext): Promise<TargetFacts<HttpFacts>> {
  const started = performance.now();
  const parsed = parseTarget(target, ctx);
  const done = (t: Omit<TargetFacts<HttpFacts>, 'target' | 'durationMs'>): TargetFacts<HttpFacts> => ({
    target: parsed.name,
    durationMs: Math.round(performance.now() - started),
    ...t,
  });
  if ('error' in parsed) return done({ status: 'invalid', message: parsed.error });
  const { origin, opts, timeoutMs } = parsed;
  const signal = ctx.signal ?? AbortSignal.timeout(sourceDeadlineMs(ctx.timeoutMs));
  const isTls = origin.protocol === 'https:';
  let tlsInfo: TlsInfo | null = null;
  let agent: http.Agent | undefined;
  try {
    const tlsOpts = await tlsOptionsOf(opts, ctx.projectDir);
    if (isTls)
      tlsInfo = await tlsHandshake(origin, { timeoutMs, insecure: opts.insecure, signal, ...tlsOpts });
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
      : (await h2cPriorKnowledge(origin, opts.healthPath, Math.min(timeoutMs, 2000), signal))
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
    const data: HttpFacts = {
      origin: redactUrl(origin.toString()),
      tls: tlsInfo ? { ...tlsInfo, insecure: opts.insecure } : null,
      http2,
      health,
      endpoints,
      load: null,
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

/** The load's deadline: its duration, then one request timeout for the last requests, and a second. */
export function loadDeadlineMs(target: TargetSpec, ctx: CollectContext): number {
  const parsed = parseTarget(target, ctx);
  if ('error' in parsed) return 1000;
  return parsed.opts.load.durationMs + parsed.timeoutMs + 1000;
}

/**
 * The bounded load against the endpoint the probes chose (`load.path`, else the first probed path
 * that answered 2xx, else the health path), added to the probes' facts. Run by `collectLive` once
 * every source has finished, under `loadDeadlineMs` rather than the source's deadline.
 */
export async function collectLoad(
  target: TargetSpec,
  probed: TargetFacts<HttpFacts>,
  ctx: CollectContext,
): Promise<TargetFacts<HttpFacts>> {
  const parsed = parseTarget(target, ctx);
  if ('error' in parsed || probed.status !== 'ok' || !probed.data) return probed;
  const started = performance.now();
  const { origin, opts, timeoutMs } = parsed;
  try {
    const loadPath =
      opts.load.path ??
      probed.data.endpoints.find((e) => e.status !== null && e.status < 300)?.path ??
      opts.healthPath;
    const load = await runLoad({
      url: new URL(loadPath, origin),
      concurrency: opts.load.concurrency,
      durationMs: opts.load.durationMs,
      maxRequests: opts.load.maxRequests,
      timeoutMs,
      tls: await tlsOptionsOf(opts, ctx.projectDir),
      signal: ctx.signal ?? AbortSignal.timeout(loadDeadlineMs(target, ctx)),
    });
    return {
      ...probed,
      durationMs: probed.durationMs + Math.round(performance.now() - started),
      data: HttpFactsSchema.parse({ ...probed.data, load }),
    };
  } catch (err) {
    return {
      target: probed.target,
      status: 'error',
      message: `the load: ${err instanceof Error ? err.message : String(err)}`,
      durationMs: probed.durationMs + Math.round(performance.now() - started),
    };
  }
}

/** Both phases, one after the other: the probes, then the load (for a caller with one source). */
export async function collectHttp(target: TargetSpec, ctx: CollectContext): Promise<TargetFacts<HttpFacts>> {
  return collectLoad(target, await collect(target, ctx), { ...ctx, signal: undefined });
}

export const finish = collectLoad;
export const finishDeadlineMs = loadDeadlineMs;
