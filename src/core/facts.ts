import { z } from 'zod';

/** Bump when the facts snapshot changes shape; `--facts` refuses other versions. */
export const FACTS_SCHEMA_VERSION = 1;

export const SOURCE_NAMES = [
  'clickhouse',
  'postgres',
  'pgbouncer',
  'redis',
  'docker',
  'compose',
  'dockerfile',
  'k8s',
  'app',
  'http',
  'baseline',
] as const;
export type SourceName = (typeof SOURCE_NAMES)[number];
export const SourceNameSchema = z.enum(SOURCE_NAMES);

/** How reading one target of a source ended. Anything but `ok` is an unreadable source. */
export const TARGET_STATUSES = [
  'ok',
  'unreachable',
  'auth-failed',
  'forbidden',
  'timeout',
  'invalid',
  'error',
] as const;
export type TargetStatus = (typeof TARGET_STATUSES)[number];

/** A value read from a file, with where it was read. */
export const LocSchema = z.object({ file: z.string(), line: z.number().int() });
export type Loc = z.infer<typeof LocSchema>;

export const located = <T extends z.ZodType>(value: T) =>
  z.object({ value, file: z.string(), line: z.number().int(), raw: z.string().optional() });

/**
 * One target's facts: the data when it could be read, the reason when not.
 * `data` is validated against the source's own schema by the collector that made it.
 */
export const TargetFactsSchema = z.object({
  target: z.string(),
  status: z.enum(TARGET_STATUSES),
  message: z.string().optional(),
  durationMs: z.number(),
  data: z.unknown().optional(),
});
export type TargetFacts<D = unknown> = Omit<z.infer<typeof TargetFactsSchema>, 'data'> & { data?: D };

/** A person's sign-off of a manual checklist item: who, when, and a link to the evidence. */
export const AttestationSchema = z.strictObject({
  check: z.string().min(1),
  by: z.string().min(1),
  date: z.union([z.iso.date(), z.iso.datetime({ offset: true })]),
  evidence: z.url({ protocol: /^https?$/ }),
  note: z.string().optional(),
});
export type Attestation = z.infer<typeof AttestationSchema>;

export const FactsSchema = z.object({
  schemaVersion: z.literal(FACTS_SCHEMA_VERSION),
  tool: z.object({ name: z.literal('strisk'), version: z.string() }),
  collectedAt: z.string(),
  durationMs: z.number(),
  /** The audited project directory, relative paths in evidence are relative to it. */
  projectDir: z.string(),
  /** Machine size from the config, used where no source reports it. */
  machine: z.object({ memoryBytes: z.number().optional(), cpus: z.number().optional() }).default({}),
  /** Service roles from the config (service name -> role), merged with those guessed from images. */
  roles: z.record(z.string(), z.string()).default({}),
  /** Attestations from the config, so that attestation checks stay pure functions of the facts. */
  attestations: z.array(AttestationSchema).optional(),
  sources: z.partialRecord(SourceNameSchema, z.array(TargetFactsSchema)),
});
export type Facts = z.infer<typeof FactsSchema>;
