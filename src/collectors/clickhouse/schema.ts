import { z } from 'zod';

/**
 * What the ClickHouse collector reads of one server, in a fixed number of queries however many
 * tables it holds. Sizes are bytes, durations milliseconds. Settings are those of the session the
 * audit ran in (the profile of the user in the URL), server settings those of the whole server.
 * A part of the facts that could not be read is `null` with its reason in `unread`: the checks
 * that need it error, the others go on.
 */

/** Options of one ClickHouse target in the config, beside its `url`. */
export const ClickHouseTargetOptionsSchema = z.object({
  /** Databases to audit; default every database but `system` and `INFORMATION_SCHEMA`. */
  databases: z.array(z.string().min(1)).min(1).optional(),
  /** `replica` marks a read replica, which `clickhouse/readonly-replicas` requires to be read-only. */
  role: z.enum(['primary', 'replica']).optional(),
  /** How far back the query log is read. */
  queryLogWindowHours: z
    .number()
    .positive()
    .max(24 * 90)
    .default(24),
  /** The machine's RAM when the server does not report it: bytes or `64GB`. */
  memory: z.union([z.number().positive(), z.string()]).optional(),
  /** The machine's cores when the server does not report them. */
  cpus: z.number().positive().optional(),
  /** PEM file with the CA of an `https://` server, relative to the project dir. */
  tlsCaFile: z.string().optional(),
});
export type ClickHouseTargetOptions = z.output<typeof ClickHouseTargetOptionsSchema>;

/** What the server offers, probed from `system.columns` (never guessed from the version alone). */
export const CapabilitiesSchema = z.object({
  /** `system.server_settings` (23.3+). */
  serverSettings: z.boolean(),
  /** `system.columns.compression_codec` (19.1+). */
  compressionCodec: z.boolean(),
  /** `system.data_skipping_indices` (20.x+). */
  dataSkippingIndices: z.boolean(),
  /** `system.query_log` exists (it appears once `log_queries` has logged something). */
  queryLog: z.boolean(),
  queryLogTables: z.boolean(),
  queryLogNormalizedHash: z.boolean(),
  queryLogKind: z.boolean(),
  asynchronousMetrics: z.boolean(),
  /** `system.parts.default_compression_codec` (20.x+): the codec the server's config chose. */
  partsDefaultCodec: z.boolean(),
  /** Table TTL (19.6+), from the version: no system column says it. */
  ttl: z.boolean(),
});
export type Capabilities = z.infer<typeof CapabilitiesSchema>;

export const SettingSchema = z.object({ value: z.string(), changed: z.boolean() });
export type Setting = z.infer<typeof SettingSchema>;

/** One column, as the checks read it (`columnsOf` in view.ts builds these from a table's `columns`). */
export interface Column {
  name: string;
  type: string;
  /** Uncompressed bytes of the column in active parts. */
  bytes: number;
  compressedBytes: number;
  /** The explicit codec (`CODEC(ZSTD(1))`), '' for none; null when the server has no such column. */
  codec: string | null;
  /** The server marks it as part of the partition key. */
  inPartitionKey: boolean;
}

// Checked in place rather than copied element by element: 10,000 tables make 50,000 of these
// lists, and copying them was a third of the collector's time after the last answer.
const stringList = z.custom<string[]>(
  (v) => Array.isArray(v) && v.every((x) => typeof x === 'string'),
  'expected a list of strings',
);
const numberList = z.custom<number[]>(
  (v) => Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x)),
  'expected a list of numbers',
);

const ColumnarSchema = z.object({
  name: stringList,
  type: stringList,
  bytes: numberList,
  compressedBytes: numberList,
  /** Null when the server has no `compression_codec` column (before 19.1). */
  codec: stringList.nullable(),
  /** Names of the columns the server marks as part of the partition key. */
  partitionKey: stringList,
});

/** Facts recorded before the columns became parallel arrays: one object per column. */
const ColumnListSchema = z.array(
  z.object({
    name: z.string(),
    type: z.string(),
    bytes: z.number(),
    compressedBytes: z.number(),
    codec: z.string().nullable(),
    inPartitionKey: z.boolean(),
  }),
);

/**
 * A table's columns as parallel arrays, one entry per column in table order: 10,000 tables of
 * 20 columns as one object per column made 35 MB of facts, this form a fifth of it. Recordings
 * with one object per column are read into this form.
 */
export const ColumnsSchema = z.union([
  ColumnarSchema,
  ColumnListSchema.transform((list) => ({
    name: list.map((c) => c.name),
    type: list.map((c) => c.type),
    bytes: list.map((c) => c.bytes),
    compressedBytes: list.map((c) => c.compressedBytes),
    codec: list.some((c) => c.codec === null) ? null : list.map((c) => c.codec ?? ''),
    partitionKey: list.filter((c) => c.inPartitionKey).map((c) => c.name),
  })),
]);
export type Columns = z.output<typeof ColumnarSchema>;

export const PartsSchema = z.object({
  active: z.number(),
  partitions: z.number(),
  maxPerPartition: z.number(),
  /** The partition with the most active parts. */
  worstPartition: z.string(),
  rows: z.number(),
  bytesOnDisk: z.number(),
  uncompressedBytes: z.number(),
  /** Codecs the server chose for the parts (its `<compression>` config); null when not reported. */
  defaultCodecs: z.array(z.string()).nullable(),
});
export type Parts = z.infer<typeof PartsSchema>;

export const SkipIndexSchema = z.object({ name: z.string(), type: z.string(), expr: z.string() });

export const TableSchema = z.object({
  database: z.string(),
  name: z.string(),
  engine: z.string(),
  partitionKey: z.string(),
  sortingKey: z.string(),
  samplingKey: z.string(),
  /** The table TTL clause (from the engine clause), null when none or before 19.6. */
  ttl: z.string().nullable(),
  /** Data-skipping indices; null when the server does not list them. */
  skipIndices: z.array(SkipIndexSchema).nullable(),
  /** Null when the columns could not be read; `columnsOf` in view.ts gives them one object each. */
  columns: ColumnsSchema.nullable(),
  /** Active parts (MergeTree family only); null for other engines or when unread. */
  parts: PartsSchema.nullable(),
});
export type Table = z.infer<typeof TableSchema>;

export const QueryGroupSchema = z.object({
  /** One query of the group, as logged (truncated to 1,000 characters). */
  sample: z.string(),
  count: z.number(),
  meanMs: z.number(),
  maxMs: z.number(),
  maxReadRows: z.number(),
  maxReadBytes: z.number(),
  /** `db.table` names the server logged (`query_log.tables`); null when it does not log them. */
  tables: z.array(z.string()).nullable(),
  selectStar: z.boolean(),
});
export type QueryGroup = z.infer<typeof QueryGroupSchema>;

// The histogram's edges live with the SQL that counts them, which needs none of these schemas.
export { DURATION_EDGES_MS } from './sql.js';

export const QueryLogSchema = z.object({
  windowHours: z.number(),
  /** First and last finished query in the window (server time), null when none. */
  from: z.string().nullable(),
  to: z.string().nullable(),
  /** Finished queries in the window, strisk's own left out. */
  queries: z.number(),
  selects: z.number(),
  selectStar: z.number(),
  meanMs: z.number().nullable(),
  p95Ms: z.number().nullable(),
  maxMs: z.number().nullable(),
  over: z.array(z.object({ ms: z.number(), count: z.number() })),
  /** How the groups were formed: by the server's normalized hash, or by the query's first 200 characters with numbers masked. */
  groupedBy: z.enum(['normalized_query_hash', 'prefix']),
  /** The slowest groups and those reading the most rows (at most 50 each). */
  groups: z.array(QueryGroupSchema),
});
export type QueryLog = z.infer<typeof QueryLogSchema>;

export const UNREAD_PARTS = ['settings', 'tables', 'columns', 'parts', 'queryLog'] as const;
export type UnreadPart = (typeof UNREAD_PARTS)[number];

export const ClickHouseFactsSchema = z.object({
  version: z.string(),
  capabilities: CapabilitiesSchema,
  role: z.enum(['primary', 'replica']).nullable(),
  /** Databases audited; null means all but the system ones. */
  databases: z.array(z.string()).nullable(),
  /** Session settings of the audit user's profile (`system.settings`). */
  settings: z.record(z.string(), SettingSchema).nullable(),
  /** `system.server_settings`; null when the server has no such table (before 23.3) or it was unread. */
  serverSettings: z.record(z.string(), SettingSchema).nullable(),
  host: z.object({
    memoryBytes: z.number().nullable(),
    memoryFrom: z.string().nullable(),
    cores: z.number().nullable(),
    coresFrom: z.string().nullable(),
  }),
  tables: z.array(TableSchema).nullable(),
  /** Null when the query log is absent (`capabilities.queryLog` false) or unread. */
  queryLog: QueryLogSchema.nullable(),
  /** Parts that could not be read, with the reason. */
  unread: z.partialRecord(
    z.enum(UNREAD_PARTS),
    z.object({ status: z.enum(['forbidden', 'timeout', 'error']), message: z.string() }),
  ),
  /** Queries sent for these facts. */
  queries: z.number(),
});
export type ClickHouseFacts = z.infer<typeof ClickHouseFactsSchema>;

declare module '../../core/check.js' {
  interface SourceData {
    clickhouse: ClickHouseFacts;
  }
}
