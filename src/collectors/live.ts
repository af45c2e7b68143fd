import type { SourceName, TargetFacts } from '../core/facts.js';
import { redactUrl } from '../core/redact-url.js';
import { type CollectContext, type LiveCollector, sourceDeadlineMs, type TargetSpec } from './types.js';

/**
 * The live sources and how to load each. A client library is imported only when its source is
 * configured, so `strisk --version` and file-only audits never load pg, ioredis or the ClickHouse client.
 */
export const LIVE_SOURCES: Partial<Record<LiveSourceName, LiveSourceInfo>> = {
  app: {
    flag: 'app',
    env: [],
    description: 'FastAPI source directory, relative to DIR (parsed, never run)',
    load: () => import('./app/index.js'),
    local: true,
  },
  http: {
    flag: 'http',
    schemes: ['http', 'https'],
    env: [],
    description: 'the running API, e.g. http://127.0.0.1:8000 (opt-in: probes it with a short bounded load)',
    load: () => import('./http/index.js'),
  },
  clickhouse: {
    flag: 'clickhouse',
    schemes: ['http', 'https'],
    env: ['CLICKHOUSE_URL'],
    description: 'ClickHouse over HTTP(S): http://user:password@host:8123',
    load: () => import('./clickhouse/index.js'),
  },
  docker: {
    flag: 'docker',
    schemes: ['unix', 'tcp', 'http', 'https'],
    env: ['DOCKER_HOST'],
    description: 'Docker engine: unix:///path/docker.sock or tcp://host:2376',
    load: () => import('./docker/index.js'),
  },
  pgbouncer: {
    flag: 'pgbouncer',
    schemes: ['postgres', 'postgresql'],
    env: ['PGBOUNCER_URL'],
    description: 'PgBouncer admin console: postgres://user@host:6432/pgbouncer',
    load: () => import('./pgbouncer/index.js'),
  },
  postgres: {
    flag: 'postgres',
    schemes: ['postgres', 'postgresql'],
    env: ['DATABASE_URL'],
    description: 'PostgreSQL: postgres://user:password@host:5432/db?sslmode=require',
    load: () => import('./postgres/index.js'),
  },
  redis: {
    flag: 'redis',
    schemes: ['redis', 'rediss'],
    env: ['REDIS_URL'],
    description: 'Redis: redis://[user:password@]host:port[/db] or rediss:// (TLS)',
    load: () => import('./redis/index.js'),
  },
};

export interface LiveSourceInfo {
  flag: string;
  /** URL schemes the source accepts; a target with another is invalid usage (exit 2). Docker also takes a socket path. */
  schemes?: string[];
  env: string[];
  description: string;
  load: () => Promise<LiveCollector>;
  /** Reads local files, not the network: not under --timeout but under LOCAL_DEADLINE_MS (see collectTarget). */
  local?: boolean;
}

/**
 * The deadline of a local source (the app's source files): separate from the network --timeout and
 * generous, since reading a large code base is bounded by its size, not by a remote end; it only
 * stops a run that would otherwise hang (a FIFO, a network file system that stopped answering).
 */
export const LOCAL_DEADLINE_MS = 120_000;

export type LiveSourceName = Extract<
  SourceName,
  'clickhouse' | 'redis' | 'postgres' | 'pgbouncer' | 'docker' | 'app' | 'http'
>;

/**
 * Runs one target under its overall deadline (`sourceDeadlineMs`), counted once the collector's
 * module is loaded: loading a client library is local work, not waiting on the server. At the
 * deadline `ctx.signal` is aborted so the collector cancels its requests; one that still has not
 * returned a second later becomes a `timeout` result.
 */
export async function collectTarget(
  source: LiveSourceName,
  spec: TargetSpec,
  ctx: CollectContext,
): Promise<TargetFacts> {
  const name = spec.name ?? redactUrl(spec.url);
  let started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const info = (LIVE_SOURCES as Record<string, LiveSourceInfo>)[source]!;
  const deadlineMs = info.local ? LOCAL_DEADLINE_MS : sourceDeadlineMs(ctx.timeoutMs);
  const controller = new AbortController();
  let abortTimer: NodeJS.Timeout | undefined;
  let backstop: NodeJS.Timeout | undefined;
  try {
    const collector = await info.load();
    started = performance.now();
    const message = info.local
      ? `not read within ${LOCAL_DEADLINE_MS / 1000} s (the limit for local files, not --timeout): point --app at the package that holds the FastAPI app`
      : `no complete answer within ${deadlineMs} ms (the deadline for --timeout ${ctx.timeoutMs} ms)`;
    abortTimer = setTimeout(() => controller.abort(new Error(message)), deadlineMs);
    const deadline = new Promise<TargetFacts>((resolve) => {
      backstop = setTimeout(
        () => resolve({ target: name, status: 'timeout', message, durationMs: elapsed() }),
        deadlineMs + 1000,
      );
    });
    return await Promise.race([collector.collect(spec, { ...ctx, signal: controller.signal }), deadline]);
  } catch (err) {
    return {
      target: name,
      status: 'error',
      message: err instanceof Error ? err.message : String(err),
      durationMs: elapsed(),
    };
  } finally {
    clearTimeout(abortTimer);
    clearTimeout(backstop);
  }
}

/**
 * Every target of every live source: first all at once (`collectTarget`), then the second phase of
 * the sources that have one (the http load), one target after another, each under its own deadline
 * with the same abort-then-backstop as `collectTarget`.
 */
/** Told when each target of a live source starts and ends being read (the CLI's progress). */
export interface CollectWatcher {
  begin(source: string, target: string): void;
  end(source: string, target: string, status: string, message?: string): void;
}

export async function collectLive(
  live: Partial<Record<LiveSourceName, TargetSpec[]>>,
  ctx: CollectContext,
  watch?: CollectWatcher,
): Promise<Array<readonly [LiveSourceName, TargetFacts[]]>> {
  const entries = Object.entries(live) as [LiveSourceName, TargetSpec[]][];
  const one = async (source: LiveSourceName, spec: TargetSpec): Promise<TargetFacts> => {
    const label = spec.name ?? redactUrl(spec.url);
    watch?.begin(source, label);
    const t = await collectTarget(source, spec, ctx);
    watch?.end(source, label, t.status, t.message);
    return t;
  };
  const first = await Promise.all(
    entries.map(
      async ([source, specs]) => [source, await Promise.all(specs.map((spec) => one(source, spec)))] as const,
    ),
  );
  for (const [source, targets] of first) {
    const info = (LIVE_SOURCES as Record<string, LiveSourceInfo>)[source]!;
    const specs = live[source]!;
    for (const [i, facts] of targets.entries()) {
      if (facts.status !== 'ok') continue;
      const collector = await info.load();
      if (!collector.finish) break;
      targets[i] = await finishTarget(collector, specs[i]!, facts, ctx);
    }
  }
  return first;
}

async function finishTarget(
  collector: LiveCollector,
  spec: TargetSpec,
  first: TargetFacts,
  ctx: CollectContext,
): Promise<TargetFacts> {
  const deadlineMs = collector.finishDeadlineMs?.(spec, ctx) ?? sourceDeadlineMs(ctx.timeoutMs);
  const message = `not finished within ${deadlineMs} ms`;
  const controller = new AbortController();
  const abortTimer = setTimeout(() => controller.abort(new Error(message)), deadlineMs);
  let backstop: NodeJS.Timeout | undefined;
  const deadline = new Promise<TargetFacts>((resolve) => {
    backstop = setTimeout(
      () => resolve({ ...first, status: 'timeout', message, data: undefined }),
      deadlineMs + 1000,
    );
  });
  try {
    return await Promise.race([
      collector.finish!(spec, first, { ...ctx, signal: controller.signal }),
      deadline,
    ]);
  } catch (err) {
    return {
      ...first,
      status: 'error',
      message: err instanceof Error ? err.message : String(err),
      data: undefined,
    };
  } finally {
    clearTimeout(abortTimer);
    clearTimeout(backstop);
  }
}
