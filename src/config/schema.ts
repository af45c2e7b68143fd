import { z } from 'zod';
import { SEVERITIES } from '../core/check.js';
import { CustomCheckSchema } from '../core/declare.js';
import { AttestationSchema } from '../core/facts.js';
import { FAIL_ON } from '../core/report.js';
import { ROLES as SERVICE_ROLES } from '../facts/compose-roles.js';
import { ToleranceSchema } from '../policy/compare.js';
import { WaiverSchema } from '../policy/waivers.js';

/** A live target: a URL, or an object with the URL and source-specific options. */
const Target = z.union([
  z.string().min(1),
  z.looseObject({ url: z.string().min(1), name: z.string().optional() }),
]);
const Targets = z.union([Target, z.array(Target)]);

/** Roles a config may give a service (`roles:`); the same list strisk infers. */
export const ROLES = SERVICE_ROLES;

export const ConfigSchema = z.strictObject({
  /** Compose project name (defaults to the compose file's `name:` or the directory). */
  project: z.string().optional(),
  compose: z
    .strictObject({
      files: z.array(z.string()).optional(),
      profiles: z.array(z.string()).optional(),
      envFile: z.string().optional(),
    })
    .optional(),
  dockerfiles: z.array(z.string()).optional(),
  /** Kubernetes manifests: files or directories (default: k8s/, kubernetes/, deploy/, manifests/). */
  k8s: z.array(z.string()).optional(),
  /** Live sources: one target or several (every replica, staging and prod). */
  targets: z
    .strictObject({
      clickhouse: Targets.optional(),
      redis: Targets.optional(),
      postgres: Targets.optional(),
      pgbouncer: Targets.optional(),
      docker: Targets.optional(),
      app: Targets.optional(),
      http: Targets.optional(),
    })
    .optional(),
  /** The machine's size where no source reports it: `memory: 64GB`, `cpus: 8`. */
  machine: z
    .strictObject({
      memory: z.union([z.number().positive(), z.string().regex(/^\d+(\.\d+)?\s*([kmgt]i?b?)?$/i)]).optional(),
      cpus: z.number().positive().optional(),
    })
    .optional(),
  /** Service name -> role, where strisk's guess is wrong (see `strisk audit --explain-roles`). */
  roles: z.record(z.string(), z.enum(ROLES)).optional(),
  /**
   * Check plugins: a path (relative to this file) or an installed package named strisk-plugin-*
   * or @scope/strisk-plugin-*. See docs/writing-checks.md.
   */
  plugins: z.array(z.string().min(1)).optional(),
  checks: z
    .strictObject({
      only: z.array(z.string()).optional(),
      skip: z.array(z.string()).optional(),
      /** Per-check options, validated by each check's own schema. */
      options: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
      severity: z.record(z.string(), z.enum(SEVERITIES)).optional(),
      /** Declarative checks: one setting or fact of a source held against one expected value. */
      custom: z.array(CustomCheckSchema).optional(),
    })
    .optional(),
  /** Per-source timeout in milliseconds. */
  // The same bounds as --timeout; Node's timers overflow past 2^31-1 ms and fire at once.
  timeoutMs: z.number().int().min(100).max(600_000).optional(),
  failOn: z.enum(FAIL_ON).optional(),
  /** As `--fail-on-severity` (the flag wins): the status gate counts only results of this severity or above. */
  failOnSeverity: z.enum(SEVERITIES).optional(),
  minScore: z.number().min(0).max(100).optional(),
  /** Accepted failures: check id, optional target, reason, owner and expiry, all required. */
  waivers: z.array(WaiverSchema).optional(),
  /** Sign-offs of the manual (attest/*) items: who, when, a link to the evidence. */
  attestations: z.array(AttestationSchema).optional(),
  /** `--baseline` comparisons: how far a measured value may move the wrong way, per check id or `default`. */
  baseline: z.strictObject({ tolerance: ToleranceSchema.optional() }).optional(),
  /** The sign-off block of the HTML report: who approves, for which environment (--approver, --environment). */
  signoff: z.strictObject({ approver: z.string().optional(), environment: z.string().optional() }).optional(),
});
export type Config = z.infer<typeof ConfigSchema>;
