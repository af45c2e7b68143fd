import type { CheckKind, Evidence, Remediation, ResultStatus, Severity } from './check.js';
import type { SourceName, TargetStatus } from './facts.js';

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
  minScore?: number;
  reasons: string[];
}

export type FailOn = 'fail' | 'warn' | 'never';

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
