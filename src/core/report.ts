import type {
  CheckKind,
  Evidence,
  Metric,
  Remediation,
  ResultStatus,
  Severity,
  SkipReason,
} from './check.js';
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
  /** With status `skip`: why, as data (`source-not-configured` names the source). */
  skipReason?: SkipReason;
  evidence: ReportEvidence[];
  remediation?: Remediation;
  durationMs: number;
  /** The fingerprint of a failing or warning result none of whose evidence failed or warned. */
  fingerprint?: string;
  /** Set when every finding of the result is suppressed by an inline `# strisk-ignore` comment. */
  suppressed?: InlineSuppression[];
  /** Measured values, compared with a baseline's. */
  metrics?: Metric[];
  /** The waiver that covers this result; the status stays what the check found. */
  waiver?: AppliedWaiver;
  /** Why this result is a regression against the baseline. */
  regression?: string[];
}

/** An inline `# strisk-ignore CHECK: REASON` comment that applies to a finding. */
export interface InlineSuppression {
  check: string;
  reason: string;
  /** Where the comment is, relative to the audited directory. */
  file: string;
  line: number;
}

/** Evidence as reported: a finding carries its fingerprint, and its suppression when it has one. */
export interface ReportEvidence extends Evidence {
  fingerprint?: string;
  suppressed?: InlineSuppression;
}

/** Every inline suppression comment read, and what became of it. */
export interface SuppressionStatus {
  file: string;
  line: number;
  /** The line it applies to (its own, or the first line after a block of comments). */
  appliesTo: number;
  check?: string;
  reason?: string;
  /** `used`: it suppressed a finding; the others suppress nothing and are warned about. */
  state: 'used' | 'unused' | 'unknown-check' | 'no-reason' | 'malformed';
  /** Fingerprints of the findings it suppressed. */
  covers: string[];
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
  kind: 'status' | 'metric' | 'finding';
  from?: ResultStatus | 'absent';
  to?: ResultStatus | 'absent';
  metric?: { name: string; subject?: string; unit: string; from: number; to: number; change: number };
  /** A finding's change: new, fixed, or its status worse or better; a metric of a finding names it too. */
  finding?: {
    fingerprint: string;
    subject: string;
    change: 'new' | 'fixed' | 'worse' | 'better' | 'worse value' | 'better value';
  };
  text: string;
}

/** How the findings moved, over the checks judged in both runs whose baseline kept its evidence. */
export interface FindingCounts {
  new: number;
  fixed: number;
  worse: number;
  better: number;
  unchanged: number;
}

export interface Comparison {
  baseline: { file?: string; startedAt: string; toolVersion: string; score: number | null };
  regressions: Change[];
  improvements: Change[];
  findings?: FindingCounts;
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

/** A place in the audited files: a path relative to the audited directory, and a 1-based line. */
export interface FileAnchor {
  file: string;
  line?: number;
}

/**
 * Where results point in the repository: SARIF and GitHub annotations need a file for every
 * result, with a path from the repository root.
 */
export interface ReportLocations {
  /** The audited directory from the repository root (`examples/app`; `` when it is the root), `/`-separated. */
  root: string;
  /**
   * Where a finding with no file of its own is shown (an attestation, a live server's setting): the
   * config file, else the first compose file, else the first Dockerfile, else `strisk.config.yaml`
   * (where the config would go).
   */
  anchor: FileAnchor;
  /** Per check, a closer anchor: the config's `attestations:` line, the line of a live source's target. */
  checks?: Record<string, FileAnchor>;
}

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
  /** Every inline `# strisk-ignore` comment read, and what it did (absent with --no-inline-ignores). */
  suppressions?: SuppressionStatus[];
  locations?: ReportLocations;
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
