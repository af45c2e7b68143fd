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

/** The zod that validates check options: a plugin uses this one, so its schemas are strisk's own kind. */
export { z } from 'zod';

// Pure helpers that read facts, one namespace per source, and the general ones.
export * as app from '../collectors/app/view.js';
export * as clickhouse from '../collectors/clickhouse/view.js';
export * as http from '../collectors/http/view.js';
export * as redis from '../collectors/redis/view.js';
export { evidenceStatus, worst } from '../collectors/status.js';
export { containerSizeFor } from '../checks/container-size.js';
export {
  countStatus,
  formatBytes,
  gib,
  mib,
  outcomeOf,
  parseCount,
  plural,
  resourceLimit,
  sizeOption,
  unjudgeable,
  unresolvedAt,
  worstStatus,
} from '../checks/helpers.js';
export { parseBytes } from '../core/units.js';
