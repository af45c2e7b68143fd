import type { z } from 'zod';
import type { ComposeFacts } from '../collectors/compose/schema.js';
import type { DockerfileFacts } from '../collectors/dockerfile/schema.js';
import type { Attestation, Facts, SourceName, TargetFacts } from './facts.js';
import type { CheckResult } from './report.js';

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];
export type CheckKind = 'auto' | 'attest' | 'info';

/**
 * Statuses a check may return. A check returns `error` itself when the facts it needs are there
 * but say it cannot judge (a permission the audit role lacks); the engine also gives `error` for
 * an unreadable source or a check that throws.
 */
export type OutcomeStatus = 'pass' | 'fail' | 'warn' | 'skip';
export type ResultStatus = OutcomeStatus | 'error';

export interface Evidence {
  /** What was looked at: `compose.yaml:14`, `service api`, `redis://127.0.0.1:6390`. */
  subject: string;
  file?: string;
  line?: number;
  observed?: string | number | boolean | null;
  expected?: string;
  unit?: string;
  status?: 'pass' | 'fail' | 'warn' | 'info';
  note?: string;
}

export interface Remediation {
  summary: string;
  /** The concrete change: YAML, Dockerfile lines, SQL, a CONFIG SET. */
  change?: string;
  /** What it takes for the change to take effect. */
  applies: 'reload' | 'restart' | 'rebuild' | 'redeploy' | 'none';
}

/** A measured value a baseline comparison can follow (latency, query time, size, hit ratio). */
export interface Metric {
  name: string;
  value: number;
  unit: string;
  better: 'lower' | 'higher';
  /** What was measured when a check measures several targets: `redis://host:6379`. */
  subject?: string;
}

/**
 * Why a result is `skip`, as data, so reporters group and word skips without reading messages:
 * a required source was not given; there is nothing of the kind to judge (no replica, no service);
 * or the source was read but does not report what the check needs (an older server).
 */
export type SkipReason =
  | { kind: 'source-not-configured'; source: SourceName }
  | { kind: 'not-applicable' }
  | { kind: 'no-data'; source?: SourceName };

export interface CheckOutcome {
  status: ResultStatus;
  /** With status `skip`: why. The engine fills in `not-applicable` when a check gives none. */
  skipReason?: SkipReason;
  /** Measured values, for `--baseline` comparisons. */
  metrics?: Metric[];
  /** One line on why, for the reader; the details are in evidence. */
  message?: string;
  evidence: Evidence[];
  remediation?: Remediation;
}

/** Typed views of the sources a check may read, each only the targets that were read. */
export interface SourceData {
  compose: ComposeFacts;
  dockerfile: DockerfileFacts;
  // Live sources add themselves by declaration merging in their schema.ts:
  // declare module '../../core/check.js' { interface SourceData { redis: RedisFacts } }
}

export interface CheckInput {
  /** Readable targets per declared source. */
  source<S extends keyof SourceData & SourceName>(name: S): TargetFacts<SourceData[S]>[];
  /** Whether an optional source was given at all. */
  has(name: SourceName): boolean;
  machine: Facts['machine'];
  roles: Facts['roles'];
  collectedAt: string;
  /** Attestations from the config for this check only (manual sign-offs). */
  attestations: Attestation[];
  /**
   * The results of the other checks of this run, for a check that judges results rather than
   * facts (`readsResults`, as report/before-after does); empty for every other check.
   */
  results: readonly CheckResult[];
}

export interface CheckDefinition<O extends z.ZodType = z.ZodType> {
  id: string;
  title: string;
  failureTitle: string;
  description: string;
  seedRef: string;
  /** The report section; built-ins take theirs from the seedRef's chapter, a plugin's from the plugin. */
  section?: string;
  severity: Severity;
  kind: CheckKind;
  /** Sources without which the check cannot run. */
  requires: SourceName[];
  /** Sources the check reads when present. */
  optional?: SourceName[];
  /**
   * Judged after every other check, from their results as computed with the user's options
   * (`input.results`): a check never runs another check.
   */
  readsResults?: boolean;
  options: O;
  run(input: CheckInput, options: z.output<O>): CheckOutcome;
}

/** What a catalogue lists of a check, without its code or options (src/checks/manifest.ts). */
export type CheckMeta = Pick<
  CheckDefinition,
  'id' | 'title' | 'kind' | 'seedRef' | 'section' | 'severity' | 'requires' | 'optional'
>;

export function defineCheck<O extends z.ZodType>(def: CheckDefinition<O>): CheckDefinition<O> {
  return def;
}

/**
 * The version of the check API (`strisk/api`) this strisk provides. A plugin names the version it
 * was written for; a different one is refused with a clear error rather than run half-understood.
 * It changes when a definition's or the facts' shape changes in a way old plugins would misread.
 */
export const API_VERSION = 1;

/** A set of checks loaded together: the built-ins are one, each user plugin is one. */
export interface PluginDefinition {
  /** The `strisk/api` version the plugin was written for (`API_VERSION`). */
  apiVersion: number;
  /** Every check id is `<namespace>/<noun>`; kebab-case. */
  namespace: string;
  /** The report section its checks are scored under (default: the namespace). */
  section?: string;
  checks: readonly CheckDefinition[];
}

export function definePlugin(def: PluginDefinition): PluginDefinition {
  return def;
}
