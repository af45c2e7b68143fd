import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import type { TargetFacts } from '../../core/facts.js';
import { byText } from '../../core/order.js';
import { redactUrl } from '../../core/redact-url.js';
import { deadlineSignal, SocketBounds, untilDeadline } from '../socket-bounds.js';
import {
  type CollectContext,
  type LiveCollector,
  scrubPassword,
  sourceDeadlineMs,
  type TargetSpec,
  targetFacts,
} from '../types.js';
import { classifyError, type Endpoint, parseRedisUrl, ReadOnlyRedis, TargetError } from './client.js';
import { type Info, infoNumber, keyspaceOf, parseInfo, readInfoAndConfig } from './info.js';
import { samplePattern } from './sample.js';
import {
  DEFAULT_KEY_PATTERNS,
  type RedisFacts,
  RedisFactsSchema,
  type RedisNode,
  type RedisTargetOptions,
  RedisTargetOptionsSchema,
} from './schema.js';

/** Masters of a cluster from `CLUSTER NODES`: `id host:port@cport flags master ...`. */
export function clusterMasters(text: string): { host: string; port: number; myself: boolean }[] {
  const out: { host: string; port: number; myself: boolean }[] = [];
  for (const line of text.split('\n')) {
    const [, addr, flagText] = line.trim().split(' ');
    if (!addr || !flagText) continue;
    const flags = flagText.split(',');
    if (!flags.includes('master') || flags.some((f) => f === 'fail' || f === 'noaddr' || f === 'handshake'))
      continue;
    const m = /^(.*):(\d+)@/.exec(addr) ?? /^(.*):(\d+)$/.exec(addr);
    if (m)
      out.push({
        host: m[1]!.replace(/^\[(.*)\]$/, '$1'),
        port: Number(m[2]),
        myself: flags.includes('myself'),
      });
  }
  return out;
}

async function readNode(
  client: ReadOnlyRedis,
  opts: RedisTargetOptions,
  deadline: number,
  first?: { info: Info; config: RedisNode['config'] },
): Promise<RedisNode> {
  const { info, config } = first ?? (await readInfoAndConfig(client));
  if (info.get('loading') === '1') {
    throw new TargetError('error', 'server is loading its dataset (LOADING): try again when it has finished');
  }
  const started = performance.now();
  const patterns = opts.keyPatterns ?? DEFAULT_KEY_PATTERNS;
  // Sampling gets its budget, but always leaves time to finish within the target's deadline.
  const until = Math.min(started + opts.sampleTimeMs, deadline - 100);
  const samples: RedisNode['sampling']['patterns'] = [];
  for (const [i, pattern] of patterns.entries()) {
    const share = started + ((until - started) * (i + 1)) / patterns.length;
    samples.push(await samplePattern(client, pattern, { sampleSize: opts.sampleSize, until: share }));
  }
  const hits = infoNumber(info, 'keyspace_hits') ?? 0;
  const misses = infoNumber(info, 'keyspace_misses') ?? 0;
  let window: RedisNode['stats']['window'];
  if (opts.hitRatioWindowMs > 0) {
    // Sampling's PTTLs count as hits, so the window starts after it: INFO stats, wait, INFO stats.
    const a = parseInfo(String(await client.call(['info', 'stats'])));
    const wait = Math.min(opts.hitRatioWindowMs, Math.max(0, deadline - performance.now() - 200));
    await new Promise((r) => setTimeout(r, wait));
    const b = parseInfo(String(await client.call(['info', 'stats'])));
    window = {
      ms: Math.round(wait),
      hits: (infoNumber(b, 'keyspace_hits') ?? 0) - (infoNumber(a, 'keyspace_hits') ?? 0),
      misses: (infoNumber(b, 'keyspace_misses') ?? 0) - (infoNumber(a, 'keyspace_misses') ?? 0),
    };
  }
  return {
    address: client.address,
    version: info.get('redis_version') ?? null,
    role: info.get('role') ?? null,
    db: client.endpoint.db,
    config,
    memory: {
      usedBytes: infoNumber(info, 'used_memory'),
      totalSystemMemoryBytes: infoNumber(info, 'total_system_memory') || null,
    },
    stats: {
      uptimeSeconds: infoNumber(info, 'uptime_in_seconds'),
      keyspaceHits: hits,
      keyspaceMisses: misses,
      evictedKeys: infoNumber(info, 'evicted_keys'),
      expiredKeys: infoNumber(info, 'expired_keys'),
      ...(window ? { window } : {}),
    },
    keyspace: keyspaceOf(info),
    sampling: {
      sampleSize: opts.sampleSize,
      sampleTimeMs: opts.sampleTimeMs,
      durationMs: Math.round(performance.now() - started),
      patterns: samples,
    },
  };
}

async function withNode<T>(
  endpoint: Endpoint,
  ctx: CollectContext & { signal: AbortSignal },
  fn: (c: ReadOnlyRedis) => Promise<T>,
  open: ReadOnlyRedis[],
) {
  // Each connection measures its own server's silence; all end at the target's deadline.
  const client = new ReadOnlyRedis(endpoint, new SocketBounds(ctx.timeoutMs, ctx.signal));
  open.push(client);
  await client.connect();
  return fn(client);
}

async function collectFacts(
  target: TargetSpec,
  opts: RedisTargetOptions,
  ctx: CollectContext & { signal: AbortSignal },
  deadline: number,
  open: ReadOnlyRedis[],
): Promise<RedisFacts> {
  const tls: ConnectionOptions = { rejectUnauthorized: opts.tlsRejectUnauthorized };
  if (opts.tlsCaFile) tls.ca = readFileSync(resolve(ctx.projectDir, opts.tlsCaFile));
  const endpoint = parseRedisUrl(target.url, tls);
  return withNode(
    endpoint,
    ctx,
    async (seed) => {
      const first = await readInfoAndConfig(seed);
      if (first.info.get('cluster_enabled') !== '1') {
        return { mode: 'standalone', nodes: [await readNode(seed, opts, deadline, first)] };
      }
      const masters = clusterMasters(String(await seed.call(['cluster', 'nodes'])));
      if (masters.length === 0)
        throw new TargetError('error', 'cluster mode, but CLUSTER NODES lists no master');
      const nodes = await Promise.all(
        masters.map((m) =>
          m.myself
            ? readNode(seed, opts, deadline, first)
            : withNode(
                { ...endpoint, host: m.host, port: m.port, db: 0 },
                ctx,
                (c) => readNode(c, opts, deadline),
                open,
              ),
        ),
      );
      return { mode: 'cluster', nodes: nodes.sort((a, b) => byText(a.address, b.address)) };
    },
    open,
  );
}

/** Reads one Redis target. Never throws: a failure is the target's status, with the cause. */
export async function collect(target: TargetSpec, ctx: CollectContext): Promise<TargetFacts<RedisFacts>> {
  const started = performance.now();
  const done = targetFacts<RedisFacts>(target.name ?? redactUrl(target.url), started);
  const parsed = RedisTargetOptionsSchema.safeParse(target);
  if (!parsed.success)
    return done('invalid', { message: `invalid redis target options: ${parsed.error.message}` });

  // Each request may wait `timeoutMs` on a silent server; the whole target ends at the deadline.
  const deadline = started + sourceDeadlineMs(ctx.timeoutMs);
  const signal = deadlineSignal(ctx.timeoutMs, ctx.signal);
  const open: ReadOnlyRedis[] = [];
  try {
    const facts = await untilDeadline(signal, () =>
      collectFacts(target, parsed.data, { ...ctx, signal }, deadline, open),
    );
    return done('ok', { data: RedisFactsSchema.parse(facts) });
  } catch (err) {
    const e = classifyError(err);
    // The password must never reach the facts, even inside a server's error message.
    return done(e.status, { message: scrubPassword(e.message, target.url) });
  } finally {
    for (const c of open) c.close();
  }
}

export const redisCollector: LiveCollector<RedisFacts> = { collect };
