// The ClickHouse checks, sorted by id, for the registry in src/checks/index.ts to spread in.
import type { CheckDefinition } from '../../core/check.js';
import columnCodecs from './column-codecs.js';
import fullScans from './full-scans.js';
import hotColumns from './hot-columns.js';
import maxConcurrentQueries from './max-concurrent-queries.js';
import maxInsertThreads from './max-insert-threads.js';
import maxMemoryUsage from './max-memory-usage.js';
import orderBy from './order-by.js';
import partitionByTime from './partition-by-time.js';
import partsPerPartition from './parts-per-partition.js';
import preAggregation from './pre-aggregation.js';
import prewhere from './prewhere.js';
import queryTime from './query-time.js';
import readonlyReplicas from './readonly-replicas.js';
import rowSize from './row-size.js';
import samplingKey from './sampling-key.js';
import selectStar from './select-star.js';
import slowQueries from './slow-queries.js';
import tableEngine from './table-engine.js';
import ttlArchive from './ttl-archive.js';

export const CLICKHOUSE_CHECKS: readonly CheckDefinition[] = [
  columnCodecs,
  fullScans,
  hotColumns,
  maxConcurrentQueries,
  maxInsertThreads,
  maxMemoryUsage,
  orderBy,
  partitionByTime,
  partsPerPartition,
  preAggregation,
  prewhere,
  queryTime,
  readonlyReplicas,
  rowSize,
  samplingKey,
  selectStar,
  slowQueries,
  tableEngine,
  ttlArchive,
];
