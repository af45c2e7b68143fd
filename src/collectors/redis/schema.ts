import { z } from 'zod';

/**
 * What the Redis collector reads of one target: one node for a standalone server, every master
 * for a Redis Cluster. Counters are as the server reported them (cumulative since start or the
 * last CONFIG RESETSTAT); sizes are in bytes, TTLs in seconds.
 */

export const KEY_KINDS = ['session', 'computed', 'other'] as const;
export type KeyKind = (typeof KEY_KINDS)[number];

export const KeyPatternSchema = z.object({
  /** A SCAN MATCH glob, e.g. `session:*`. */
  pattern: z.string().min(1),
  kind: z.enum(KEY_KINDS),
  /** Bound for this pattern; overrides the check's bound for its kind. */
  maxTtlSeconds: z.number().positive().optional(),
});
export type KeyPattern = z.infer<typeof KeyPatternSchema>;

/** The checklist's examples: sessions and computed (cached) results. */
export const DEFAULT_KEY_PATTERNS: readonly KeyPattern[] = [
  { pattern: 'session:*', kind: 'session' },
  { pattern: 'sess:*', kind: 'session' },
  { pattern: 'cache:*', kind: 'computed' },
];

/** Options of one Redis target in the config, beside its `url`. */
export const RedisTargetOptionsSchema = z.object({
  keyPatterns: z.array(KeyPatternSchema).min(1).optional(),
  /** Keys sampled per pattern, at most. */
  sampleSize: z.number().int().positive().max(100_000).default(1000),
  /** Time budget for sampling all patterns of one node. */
  sampleTimeMs: z.number().int().positive().default(500),
  /** When > 0, INFO stats is read a second time after this long, for a hit ratio over a window. */
  hitRatioWindowMs: z.number().int().min(0).max(60_000).default(0),
  /** PEM file with the CA of a `rediss://` server, relative to the project dir. */
  tlsCaFile: z.string().optional(),
  tlsRejectUnauthorized: z.boolean().default(true),
});
export type RedisTargetOptions = z.output<typeof RedisTargetOptionsSchema>;

/** Upper bounds (inclusive) of the TTL histogram buckets, in seconds; a last bucket takes the rest. */
export const TTL_BUCKET_EDGES = [60, 300, 900, 1800, 3600, 7200, 21_600, 86_400, 604_800] as const;

export const TtlBucketSchema = z.object({ leSeconds: z.number().nullable(), count: z.number().int() });

export const PatternSampleSchema = z.object({
  pattern: z.string(),
  kind: z.enum(KEY_KINDS),
  maxTtlSeconds: z.number().optional(),
  /** Keys whose TTL was read. */
  sampled: z.number().int(),
  /** SCAN went all the way round: the sample is every matching key. */
  complete: z.boolean(),
  stoppedBy: z.enum(['complete', 'sample-size', 'time']),
  scanCalls: z.number().int(),
  noTtl: z.number().int(),
  /** Keys that expired between SCAN and PTTL. */
  vanished: z.number().int(),
  /** Over the sampled keys that have a TTL; null when none has. */
  ttlSeconds: z.object({ min: z.number(), p50: z.number(), p90: z.number(), max: z.number() }).nullable(),
  buckets: z.array(TtlBucketSchema),
  /** Keys whose TTL exceeds `maxTtlSeconds`, when the pattern sets one. */
  overMaxTtl: z.number().int().optional(),
});
export type PatternSample = z.infer<typeof PatternSampleSchema>;

export const RedisConfigSchema = z.object({
  /** `config`: CONFIG GET; `info`: CONFIG was refused, the values come from INFO. */
  source: z.enum(['config', 'info']),
  reason: z.string().optional(),
  maxmemoryBytes: z.number().nullable(),
  maxmemoryPolicy: z.string().nullable(),
  appendonly: z.boolean().nullable(),
  /** Not in INFO: null when read from there. */
  appendfsync: z.string().nullable(),
});
export type RedisConfig = z.infer<typeof RedisConfigSchema>;

export const RedisNodeSchema = z.object({
  /** `host:port` as the client reached it. */
  address: z.string(),
  version: z.string().nullable(),
  role: z.string().nullable(),
  db: z.number().int(),
  config: RedisConfigSchema,
  memory: z.object({
    usedBytes: z.number().nullable(),
    /** The host's RAM as Redis sees it (in a container: the host's, not the container limit). */
    totalSystemMemoryBytes: z.number().nullable(),
  }),
  stats: z.object({
    uptimeSeconds: z.number().nullable(),
    keyspaceHits: z.number(),
    keyspaceMisses: z.number(),
    evictedKeys: z.number().nullable(),
    expiredKeys: z.number().nullable(),
    /** Deltas over `hitRatioWindowMs`, when asked for. */
    window: z.object({ ms: z.number(), hits: z.number(), misses: z.number() }).optional(),
  }),
  keyspace: z.array(z.object({ db: z.number().int(), keys: z.number().int(), expires: z.number().int() })),
  sampling: z.object({
    sampleSize: z.number().int(),
    sampleTimeMs: z.number().int(),
    durationMs: z.number(),
    patterns: z.array(PatternSampleSchema),
  }),
});
export type RedisNode = z.infer<typeof RedisNodeSchema>;

export const RedisFactsSchema = z.object({
  mode: z.enum(['standalone', 'cluster']),
  nodes: z.array(RedisNodeSchema),
});
export type RedisFacts = z.infer<typeof RedisFactsSchema>;

declare module '../../core/check.js' {
  interface SourceData {
    redis: RedisFacts;
  }
}
