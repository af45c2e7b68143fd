// `strisk/api`: what a check needs, for the built-ins and for a plugin alike. A check is a pure
// function of the facts the collectors gathered (no I/O, no clock, no environment): the run stays
// read-only and `--facts` replays it. See docs/writing-checks.md.
//
// Versioned by API_VERSION: a plugin states the version it was written for in definePlugin.

export type { ComposeFacts, ComposeService } from '../collectors/compose/schema.js';
export type * as Compose from '../collectors/compose/schema.js';
export type { DockerfileFacts } from '../collectors/dockerfile/schema.js';
export type * as Dockerfile from '../collectors/dockerfile/schema.js';
export type { ClickHouseFacts } from '../collectors/clickhouse/schema.js';
export type * as ClickHouse from '../collectors/clickhouse/schema.js';
export type { PostgresFacts } from '../collectors/postgres/schema.js';
export type * as Postgres from '../collectors/postgres/schema.js';
export type { PgbouncerFacts } from '../collectors/pgbouncer/schema.js';
export type * as Pgbouncer from '../collectors/pgbouncer/schema.js';
export type { RedisFacts } from '../collectors/redis/schema.js';
export type * as Redis from '../collectors/redis/schema.js';
export type { DockerFacts } from '../collectors/docker/schema.js';
export type * as Docker from '../collectors/docker/schema.js';
export type { AppFacts } from '../collectors/app/schema.js';
export type * as App from '../collectors/app/schema.js';
export type { HttpFacts } from '../collectors/http/schema.js';
export type * as Http from '../collectors/http/schema.js';

export {
  API_VERSION,
  type CheckDefinition,
  type CheckInput,
  type CheckKind,
  type CheckOutcome,
  defineCheck,
  definePlugin,
  type Evidence,
  type Metric,
  type OutcomeStatus,
  type PluginDefinition,
  type Remediation,
  type ResultStatus,
  SEVERITIES,
  type Severity,
  type SourceData,
} from '../core/check.js';
export type { Attestation, Facts, SourceName, TargetFacts } from '../core/facts.js';
export type { CheckResult } from '../core/report.js';
/** A check that holds one observed setting against one threshold, as `checks.custom:` entries are. */
export { type Comparison, type Declaration, declareCheck } from '../core/declare.js';

/** The zod that validates check options: a plugin uses this one, so its schemas are strisk's own kind. */
export { z } from 'zod';

// Pure helpers that read facts: one module per source (src/facts/<source>.ts), the sizes and
// plurals they share, and the one status combiner.
export * as app from '../facts/app.js';
export * as clickhouse from '../facts/clickhouse.js';
export * as compose from '../facts/compose.js';
export * as docker from '../facts/docker.js';
export * as dockerfile from '../facts/dockerfile.js';
export * as http from '../facts/http.js';
export * as postgres from '../facts/postgres.js';
export * as redis from '../facts/redis.js';
export { combine, countStatus, evidenceStatus, worst, worstOf, worstStatus } from '../core/status.js';
export { containerSizeFor } from '../facts/docker.js';
export { outcomeOf, resourceLimit, unjudgeable, unresolvedAt } from '../facts/compose.js';
export { formatBytes, gib, mib, parseCount, plural, sizeOption } from '../facts/common.js';
export { parseBytes } from '../core/units.js';
