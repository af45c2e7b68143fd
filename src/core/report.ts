import type { CheckKind, Evidence, Metric, Remediation, ResultStatus, Severity } from './check.js';
import type { Attestation, SourceName, TargetStatus } from './facts.js';

export const REPORT_SCHEMA_VERSION = 1;

export interface CheckResult {
  id: string;
  seedRef: string;
  section: string;
  kind: CheckKind;
  title: string;
  status: ResultStatus;
  severity: Severity;
  message?: string;
  evidence: Evidence[];
  remediation?: Remediation;
  durationMs: number;
  /** Measured values, compared with a baseline's. */
  metrics?: Metric[];
  /** The waiver that covers this result; the status stays what the check found. */
  waiver?: AppliedWaiver;
  /** Why this result is a regression against the baseline. */
  regression?: string[];
}

export type WaiverState = 'active' | 'expiring' | 'expired';

export interface Waiver {
  check: string;
  target?: string;
  reason: string;
  owner: string;
  /** Last day the waiver holds, `YYYY-MM-DD` (UTC). */
  expires: string;
}

export interface AppliedWaiver extends Waiver {
  state: WaiverState;
  /** Days from the run's date to the expiry date; negative once expired. */
  daysLeft: number;
}

/** Every waiver of the config, what it covered in this run. */
export interface WaiverStatus extends AppliedWaiver {
  /** Ids of the results it covered (failing or warning ones). */
  covers: string[];
}

export interface Change {
  id: string;
  kind: 'status' | 'metric';
  from?: ResultStatus | 'absent';
  to?: ResultStatus | 'absent';
  metric?: { name: string; subject?: string; unit: string; from: number; to: number; change: number };
  text: string;
}

export interface Comparison {
  baseline: { file?: string; startedAt: string; toolVersion: string; score: number | null };
  regressions: Change[];
  improvements: Change[];
}

export interface SourceSummary {
  source: SourceName;
  target: string;
  status: TargetStatus;
  message?: string;
  durationMs: number;
}

export interface SectionScore {
  section: string;
  score: number | null;
  counts: Record<ResultStatus, number>;
}

export interface GateVerdict {
  passed: boolean;
  exitCode: 0 | 1 | 3;
  failOn: FailOn;
  /** `--fail-on-severity`: the status gate counted only results of this severity or above. */
  failOnSeverity?: Severity;
  minScore?: number;
  reasons: string[];
  /** What needs attention without failing the gate (waivers close to expiry). */
  warnings?: string[];
}

export const FAIL_ON = ['fail', 'warn', 'never', 'regression'] as const;
export type FailOn = (typeof FAIL_ON)[number];

export interface Report {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  tool: { name: 'strisk'; version: string };
  startedAt: string;
  durationMs: number;
  projectDir: string;
  sources: SourceSummary[];
  results: CheckResult[];
  score: number | null;
  sections: SectionScore[];
  counts: Record<ResultStatus, number>;
  gate: GateVerdict;
  waivers?: WaiverStatus[];
  attestations?: Attestation[];
  comparison?: Comparison;
  /** What was audited and who signs, for the sign-off report. */
  signoff?: SignoffInfo;
}

export interface SignoffInfo {
  /** The audited project's git commit, and whether its work tree had changes. */
  git?: { commit: string; dirty: boolean };
  configFile?: string;
  /** sha256 of the config file's bytes. */
  configSha256?: string;
  approver?: string;
  environment?: string;
}

export const STATUS_ORDER: readonly ResultStatus[] = ['pass', 'skip', 'warn', 'fail', 'error'];

export function emptyCounts(): Record<ResultStatus, number> {
  return { pass: 0, fail: 0, warn: 0, skip: 0, error: 0 };
}

/**
 * Score = (passes + half the warnings) / judged checks, as a percentage. Skipped and info
 * checks are not judged; an error is judged and counts as not passed (unknown is never a pass).
 */
export function scoreOf(results: readonly CheckResult[]): {
  score: number | null;
  counts: Record<ResultStatus, number>;
} {
  const counts = emptyCounts();
  let judged = 0;
  let points = 0;
  for (const r of results) {
    counts[r.status]++;
    if (r.kind === 'info' || r.status === 'skip') continue;
    judged++;
    if (r.status === 'pass') points += 1;
    else if (r.status === 'warn') points += 0.5;
  }
  return { score: judged === 0 ? null : Math.round((1000 * points) / judged) / 10, counts };
}
