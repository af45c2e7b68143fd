import { z } from 'zod';

/**
 * What the docker collector reads of one engine (or one `docker save` archive): the engine's
 * size, the images named by the config or the compose files, the containers of the compose
 * project (or every running one), and one stats sample per running container.
 * Sizes are bytes, CPU limits cores, durations seconds. `null` means "none set" (no limit,
 * no user, no healthcheck), never "unknown": unknowns are `missing` / `error` fields.
 */

export const DockerHealthcheckSchema = z.object({
  /** `["CMD", ...]`, `["CMD-SHELL", "..."]`; `["NONE"]` (disabled) is reported as `null`. */
  test: z.array(z.string()),
  intervalSeconds: z.number().nullable(),
  timeoutSeconds: z.number().nullable(),
  retries: z.number().nullable(),
});
export type DockerHealthcheck = z.infer<typeof DockerHealthcheckSchema>;

export const DockerImageSchema = z.object({
  /** The reference as asked for (`app:latest`, an id). */
  ref: z.string(),
  /** Not on the engine (or not in the archive): nothing else is known. */
  missing: z.boolean(),
  /** Why it could not be read, when it was there but reading failed. */
  error: z.string().optional(),
  id: z.string().nullable(),
  tags: z.array(z.string()),
  /** Engine-reported `Size` (not the deprecated `VirtualSize`); in an archive, the layers' sizes. */
  sizeBytes: z.number().nullable(),
  layers: z.number().nullable(),
  created: z.string().nullable(),
  user: z.string().nullable(),
  healthcheck: DockerHealthcheckSchema.nullable(),
  cmd: z.array(z.string()).nullable(),
  entrypoint: z.array(z.string()).nullable(),
  /** Newest first, as `docker history` shows; at most 100 entries. */
  history: z.array(z.object({ createdBy: z.string(), sizeBytes: z.number(), emptyLayer: z.boolean() })),
});
export type DockerImage = z.infer<typeof DockerImageSchema>;

export const DockerStatsSchema = z.object({
  /**
   * As `docker stats` shows it: 100% = one core (delta container / delta system × online CPUs);
   * `null` when the engine gave no earlier sample to measure a window against.
   */
  cpuPercent: z.number().nullable(),
  onlineCpus: z.number(),
  /** Usage minus inactive file cache, as `docker stats` counts it. */
  memoryUsageBytes: z.number(),
  /** The cgroup's limit as the engine reports it (the host's memory when unlimited). */
  memoryLimitBytes: z.number(),
  /** The engine's sample window (read − preread), 0 when it had no earlier sample. */
  windowMs: z.number(),
});
export type DockerStats = z.infer<typeof DockerStatsSchema>;

export const DockerContainerSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** `com.docker.compose.project` / `com.docker.compose.service` labels. */
  project: z.string().nullable(),
  service: z.string().nullable(),
  image: z.string(),
  imageId: z.string(),
  /** `running`, `restarting`, `exited`, ... */
  state: z.string(),
  restartCount: z.number(),
  /** `HostConfig.Memory`; `null` when 0 (unlimited). */
  memoryLimitBytes: z.number().nullable(),
  /** `NanoCpus`, else `CpuQuota / CpuPeriod`, in cores; `null` when unlimited. */
  cpuLimit: z.number().nullable(),
  readOnlyRootfs: z.boolean(),
  log: z.object({ driver: z.string(), options: z.record(z.string(), z.string()) }),
  restartPolicy: z.object({ name: z.string(), maximumRetryCount: z.number() }),
  networkMode: z.string(),
  /** The effective healthcheck (the container's own, else the image's); `null` when none. */
  healthcheck: DockerHealthcheckSchema.nullable(),
  /** `State.Health.Status` (`starting`, `healthy`, `unhealthy`) when a healthcheck runs. */
  health: z.object({ status: z.string(), failingStreak: z.number() }).nullable(),
  /** One sample, for running containers; `null` with `statsError` when it could not be read. */
  stats: DockerStatsSchema.nullable(),
  statsError: z.string().optional(),
});
export type DockerContainer = z.infer<typeof DockerContainerSchema>;

export const DockerEngineSchema = z.object({
  version: z.string(),
  apiVersion: z.string(),
  os: z.string(),
  arch: z.string(),
  /** The machine's size as the engine sees it, for checks sized by the host. */
  ncpu: z.number(),
  memTotalBytes: z.number(),
  storageDriver: z.string(),
  cgroupVersion: z.string().nullable(),
});
export type DockerEngine = z.infer<typeof DockerEngineSchema>;

export const DockerFactsSchema = z.object({
  /** `null` when the facts come from a `docker save` archive. */
  engine: DockerEngineSchema.nullable(),
  /** The compose project whose containers were listed; `null` = every running container. */
  project: z.string().nullable(),
  /** The archive the images were read from, when there was no engine. */
  archive: z.string().nullable(),
  images: z.array(DockerImageSchema),
  containers: z.array(DockerContainerSchema),
});
export type DockerFacts = z.infer<typeof DockerFactsSchema>;

/** Options of one docker target in the config, beside its `url`. */
export const DockerTargetOptionsSchema = z.object({
  /** Image references to inspect; without them, the images of the listed containers. */
  images: z.array(z.string().min(1)).optional(),
  /** Compose project name: its containers are found by the `com.docker.compose.project` label. */
  project: z.string().min(1).optional(),
  /** A `docker save` tar to read instead of an engine. */
  archive: z.string().min(1).optional(),
  /** Directory with `ca.pem`, `cert.pem`, `key.pem` for `tcp://` (default `DOCKER_CERT_PATH`). */
  certPath: z.string().optional(),
  /** Verify the engine's certificate (default: `DOCKER_TLS_VERIFY`, or on with a cert path). */
  tlsVerify: z.boolean().optional(),
});
export type DockerTargetOptions = z.infer<typeof DockerTargetOptionsSchema>;

declare module '../../core/check.js' {
  interface SourceData {
    docker: DockerFacts;
  }
}
