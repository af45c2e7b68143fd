// Each source's facts schema, by source name: recorded facts (`--facts`) are validated with the
// schema of the version that replays them, so a field added since (with its default) is filled in
// and a check never meets facts of a shape it does not know.
import type { z } from 'zod';
import type { SourceName } from '../core/facts.js';
import { AppFactsSchema } from './app/schema.js';
import { ClickHouseFactsSchema } from './clickhouse/schema.js';
import { ComposeFactsSchema } from './compose/schema.js';
import { DockerFactsSchema } from './docker/schema.js';
import { DockerfileFactsSchema } from './dockerfile/schema.js';
import { HttpFactsSchema } from './http/schema.js';
import { K8sFactsSchema } from './k8s/schema.js';
import { PgbouncerFactsSchema } from './pgbouncer/schema.js';
import { PostgresFactsSchema } from './postgres/schema.js';
import { RedisFactsSchema } from './redis/schema.js';

export const SOURCE_FACTS_SCHEMAS: Partial<Record<SourceName, z.ZodType>> = {
  app: AppFactsSchema,
  clickhouse: ClickHouseFactsSchema,
  compose: ComposeFactsSchema,
  docker: DockerFactsSchema,
  dockerfile: DockerfileFactsSchema,
  http: HttpFactsSchema,
  k8s: K8sFactsSchema,
  pgbouncer: PgbouncerFactsSchema,
  postgres: PostgresFactsSchema,
  redis: RedisFactsSchema,
};
