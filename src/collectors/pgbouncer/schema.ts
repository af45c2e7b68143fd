import { z } from 'zod';

/**
 * What the pgbouncer collector reads from the admin console (`SHOW CONFIG`, `SHOW POOLS`,
 * `SHOW STATS`, `SHOW DATABASES`). Column sets differ between PgBouncer versions: absent
 * numeric columns read as 0, absent text as null. Times are converted to seconds.
 */
export const PoolSchema = z.object({
  database: z.string(),
  user: z.string(),
  clActive: z.number(),
  clWaiting: z.number(),
  svActive: z.number(),
  svIdle: z.number(),
  svUsed: z.number(),
  /** How long the oldest waiting client has waited, in seconds (`maxwait` + `maxwait_us`). */
  maxwaitSeconds: z.number(),
  poolMode: z.string().nullable(),
});

export const DatabaseSchema = z.object({
  name: z.string(),
  host: z.string().nullable(),
  port: z.number().nullable(),
  database: z.string().nullable(),
  forceUser: z.string().nullable(),
  poolSize: z.number(),
  reservePool: z.number(),
  poolMode: z.string().nullable(),
  maxConnections: z.number(),
  currentConnections: z.number(),
  paused: z.boolean(),
  disabled: z.boolean(),
});

export const StatsSchema = z.object({
  database: z.string(),
  totalXactCount: z.number(),
  totalQueryCount: z.number(),
  /** Averages over the last stats period, in seconds. */
  avgXactSeconds: z.number(),
  avgQuerySeconds: z.number(),
  avgWaitSeconds: z.number(),
  totalWaitSeconds: z.number(),
});

export const PgbouncerFactsSchema = z.object({
  version: z.string().nullable(),
  /** `SHOW CONFIG`: key → value as PgBouncer prints it. */
  config: z.record(z.string(), z.string()),
  pools: z.array(PoolSchema),
  databases: z.array(DatabaseSchema),
  stats: z.array(StatsSchema),
  queries: z.number().int(),
});
export type PgbouncerFacts = z.infer<typeof PgbouncerFactsSchema>;
export type PgbouncerPool = z.infer<typeof PoolSchema>;
export type PgbouncerDatabase = z.infer<typeof DatabaseSchema>;

declare module '../../core/check.js' {
  interface SourceData {
    pgbouncer: PgbouncerFacts;
  }
}
