import { z } from 'zod';
import { located } from '../../core/facts.js';
import { InlineIgnoreSchema } from '../inline-ignores.js';

/**
 * The merged compose model, normalised to the long syntax, with where every value came from.
 * Units are converted: bytes for memory, cores for CPUs, seconds for durations. A value that
 * could not be converted keeps `value: null` and its `raw` text.
 */
const Str = located(z.string());
const NumOrNull = located(z.number().nullable());
const Bool = located(z.boolean());

export const ComposeServiceSchema = z.object({
  name: z.string(),
  file: z.string(),
  line: z.number().int(),
  image: Str.optional(),
  build: z
    .object({
      context: z.string(),
      dockerfile: z.string().optional(),
      /** `build.target`: the Dockerfile stage the service builds (the last one when absent). */
      target: z.string().optional(),
      /** `build.tags`: further names the built image is tagged with (beside `image:`). */
      tags: z.array(z.string()).optional(),
      file: z.string(),
      line: z.number(),
    })
    .optional(),
  command: located(z.union([z.string(), z.array(z.string())])).optional(),
  entrypoint: located(z.union([z.string(), z.array(z.string())])).optional(),
  /** `deploy.resources.limits.memory`, else `mem_limit`. */
  memoryLimit: NumOrNull.optional(),
  /** `deploy.resources.limits.cpus`, else `cpus`. */
  cpuLimit: NumOrNull.optional(),
  healthcheck: z
    .object({
      file: z.string(),
      line: z.number(),
      disabled: z.boolean(),
      test: located(z.union([z.string(), z.array(z.string())])).optional(),
      intervalSeconds: NumOrNull.optional(),
    })
    .optional(),
  readOnly: Bool.optional(),
  tmpfs: z.array(z.string()).default([]),
  logging: z
    .object({
      file: z.string(),
      line: z.number(),
      driver: Str.optional(),
      options: z.record(z.string(), Str).default({}),
    })
    .optional(),
  dependsOn: z
    .array(z.object({ service: z.string(), condition: z.string(), file: z.string(), line: z.number() }))
    .default([]),
  volumes: z
    .array(
      z.object({
        type: z.string(),
        source: z.string().optional(),
        target: z.string(),
        file: z.string(),
        line: z.number(),
      }),
    )
    .default([]),
  restart: Str.optional(),
  /**
   * Published (`ports`) and exposed (`expose`) ports: the container side, or null when it is not a
   * number (an unresolved `${PORT}`). Added for role inference (5432 says PostgreSQL).
   */
  ports: z
    .array(
      z.object({
        container: z.number().int().nullable(),
        published: z.boolean(),
        file: z.string(),
        line: z.number(),
      }),
    )
    .default([]),
  /** `deploy.replicas`, else `scale` (added: the connection-headroom check multiplies by it). */
  replicas: NumOrNull.optional(),
  /** `deploy.restart_policy.condition` (swarm-style) when given. */
  deployRestartCondition: Str.optional(),
  networkMode: Str.optional(),
  /**
   * `environment:` merged over the variables of the `env_file:` files (compose's order: the files in
   * turn, then `environment:`, whose bare `KEY` does not hide a file's value). Each value keeps where
   * it is written: the compose file's line, or the env file's.
   */
  environment: z.record(z.string(), located(z.string().nullable())).default({}),
  /**
   * The `env_file:` entries (string, list or `{path, required}`), path as written, relative to the
   * compose file's directory; `missing` when a file is not there (compose refuses to start a service
   * whose required env file is missing; strisk reads on, without its variables). Absent when none.
   */
  envFiles: z
    .array(
      z.object({
        path: z.string(),
        required: z.boolean(),
        missing: z.boolean().optional(),
        file: z.string(),
        line: z.number(),
      }),
    )
    .optional(),
  labels: z.record(z.string(), z.string()).default({}),
  profiles: z.array(z.string()).default([]),
});
export type ComposeService = z.infer<typeof ComposeServiceSchema>;

export const ComposeFactsSchema = z.object({
  projectName: z.string(),
  files: z.array(z.string()),
  activeProfiles: z.array(z.string()),
  services: z.array(ComposeServiceSchema),
  /** Services left out because none of their profiles is active. */
  inactiveServices: z.array(z.string()).default([]),
  /** Top-level named volumes. */
  volumes: z.array(z.string()).default([]),
  /** `${VAR}` references with no value and no default: reported, never guessed. */
  unresolved: z
    .array(
      z.object({ variable: z.string(), file: z.string(), line: z.number(), message: z.string().optional() }),
    )
    .default([]),
  /** `# strisk-ignore CHECK: REASON` comments in the files read (absent when there are none). */
  ignores: z.array(InlineIgnoreSchema).optional(),
});
export type ComposeFacts = z.infer<typeof ComposeFactsSchema>;
