import { z } from 'zod';

/**
 * What the postgres collector reads from one server, in one read-only transaction. Memory
 * settings are converted to bytes and durations to seconds using `pg_settings.unit`.
 * Parts the audit role may not read are listed in `forbidden` with the grant that fixes it;
 * a check that needs such a part reports an error, never a verdict on half the data.
 */
export const SettingSchema = z.object({
  /** The raw `pg_settings.setting`, in the setting's own unit. */
  setting: z.string().nullable(),
  unit: z.string().nullable(),
  /** Bytes for memory, seconds for time, a number for plain integers, a boolean for on/off. */
  value: z.union([z.number(), z.boolean(), z.string()]).nullable(),
  source: z.string().nullable(),
  /** Where the value was set; only visible to superusers and `pg_read_all_settings`. */
  sourcefile: z.string().nullable(),
  sourceline: z.number().int().nullable(),
});
export type Setting = z.infer<typeof SettingSchema>;

/** What the checks read of each table (`pg_stat_user_tables` with sizes). */
export const TableStatsSchema = z.object({
  schema: z.string(),
  name: z.string(),
  seqScan: z.number(),
  /** Null when the table has no index. */
  idxScan: z.number().nullable(),
  liveTuples: z.number(),
  deadTuples: z.number(),
  lastVacuum: z.string().nullable(),
  lastAutovacuum: z.string().nullable(),
  /** Heap + TOAST + indexes from `pg_class.relpages` (as of the last VACUUM/ANALYZE; takes no lock). */
  totalBytes: z.number(),
});
export type TableStats = z.infer<typeof TableStatsSchema>;

export const ArchiverSchema = z.object({
  archivedCount: z.number(),
  lastArchivedWal: z.string().nullable(),
  lastArchivedTime: z.string().nullable(),
  failedCount: z.number(),
  lastFailedWal: z.string().nullable(),
  lastFailedTime: z.string().nullable(),
  statsReset: z.string().nullable(),
});

export const StatementSchema = z.object({
  queryid: z.string().nullable(),
  /** The normalised text, cut to 200 characters; `<insufficient privilege>` when hidden. */
  query: z.string(),
  calls: z.number(),
  meanMs: z.number(),
  totalMs: z.number(),
  rows: z.number(),
});

export const StatementsSchema = z.object({
  /** The schema the extension lives in and its version (column names changed in 1.8 / PG 13). */
  schema: z.string(),
  extensionVersion: z.string(),
  /** Statements of the audited database, excluding strisk's own. */
  statements: z.number(),
  calls: z.number(),
  totalMs: z.number(),
  /** Calls-weighted mean: total time / calls. Null when no call was recorded. */
  meanMs: z.number().nullable(),
  /** The slowest statements by mean time. */
  slowest: z.array(StatementSchema),
});

export const ForbiddenSchema = z.object({
  part: z.enum(['settings', 'statements', 'tables', 'archiver', 'activity']),
  message: z.string(),
  /** The SQL that grants what is missing. */
  grant: z.string(),
});
export type Forbidden = z.infer<typeof ForbiddenSchema>;

export const PostgresFactsSchema = z.object({
  server: z.object({
    versionNum: z.number().int(),
    version: z.string(),
    database: z.string(),
    user: z.string(),
    host: z.string().nullable(),
    port: z.number().int().nullable(),
    inRecovery: z.boolean(),
    superuser: z.boolean(),
    /** Membership (direct or inherited) of the monitoring roles. */
    pgMonitor: z.boolean(),
    readAllSettings: z.boolean(),
    readAllStats: z.boolean(),
  }),
  /** The machine's RAM as the config gives it (`memory:` on the target). */
  memory: z.object({ bytes: z.number(), from: z.string() }).nullable(),
  settings: z.record(z.string(), SettingSchema),
  tables: z.array(TableStatsSchema),
  /** User tables in the database; `tables` holds the largest `maxTables` of them. */
  tablesTotal: z.number().int(),
  database: z.object({ sizeBytes: z.number(), frozenXidAge: z.number() }),
  archiver: ArchiverSchema.nullable(),
  connections: z.object({
    /** Client backends connected now (all databases). */
    current: z.number().int(),
    byState: z.record(z.string(), z.number().int()),
  }),
  /** Null when the extension is not installed in this database. */
  statements: StatementsSchema.nullable(),
  /** Why statements are absent, when they are. */
  statementsNote: z.string().optional(),
  forbidden: z.array(ForbiddenSchema),
  /** Statements sent to the server for this audit (constant, whatever the number of tables). */
  queries: z.number().int(),
});
export type PostgresFacts = z.infer<typeof PostgresFactsSchema>;

declare module '../../core/check.js' {
  interface SourceData {
    postgres: PostgresFacts;
  }
}
