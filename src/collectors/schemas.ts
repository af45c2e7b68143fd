// Each source's facts schema, by source name: recorded facts (`--facts`) are validated with the
// schema of the version that replays them, so a field added since (with its default) is filled in
// and a check never meets facts of a shape it does not know. Imported on demand, source by source:
// a replay builds the zod schemas of the sources its facts hold, and an audit that collects builds
// none of these (a collector imports its own).
import type { z } from 'zod';
import type { SourceName } from '../core/facts.js';

const LOADERS: Partial<Record<SourceName, () => Promise<z.ZodType>>> = {
  app: async () => (await import('./app/schema.js')).AppFactsSchema,
  clickhouse: async () => (await import('./clickhouse/schema.js')).ClickHouseFactsSchema,
  compose: async () => (await import('./compose/schema.js')).ComposeFactsSchema,
  docker: async () => (await import('./docker/schema.js')).DockerFactsSchema,
  dockerfile: async () => (await import('./dockerfile/schema.js')).DockerfileFactsSchema,
  http: async () => (await import('./http/schema.js')).HttpFactsSchema,
  k8s: async () => (await import('./k8s/schema.js')).K8sFactsSchema,
  pgbouncer: async () => (await import('./pgbouncer/schema.js')).PgbouncerFactsSchema,
  postgres: async () => (await import('./postgres/schema.js')).PostgresFactsSchema,
  redis: async () => (await import('./redis/schema.js')).RedisFactsSchema,
};

/** The facts schema of a source, or undefined for a source without one. */
export async function sourceFactsSchema(source: SourceName): Promise<z.ZodType | undefined> {
  return LOADERS[source]?.();
}
