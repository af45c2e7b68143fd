import { CATALOGUE } from './catalogue.js';
import type { Facts, SourceName } from './facts.js';
import {
  type CheckResult,
  type FailOn,
  type GateVerdict,
  REPORT_SCHEMA_VERSION,
  type Report,
  type SectionScore,
  scoreOf,
} from './report.js';

export interface Policy {
  failOn: FailOn;
  minScore?: number;
  allowIncomplete?: boolean;
}

const SECTION_ORDER = [...new Set(CATALOGUE.map((e) => e.section))];

/** The gate: 1 when a judged result breaks the policy, 3 when the audit is incomplete; the highest wins. */
export function judge(
  results: readonly CheckResult[],
  sources: Report['sources'],
  score: number | null,
  policy: Policy,
): GateVerdict {
  const reasons: string[] = [];
  let exitCode: 0 | 1 | 3 = 0;
  const judged = results.filter((r) => r.kind !== 'info');
  const bad = (status: string) => judged.filter((r) => r.status === status).map((r) => r.id);
  const fails = bad('fail');
  const warns = bad('warn');
  if (policy.failOn !== 'never' && fails.length > 0)
    reasons.push(`${fails.length} failed: ${fails.join(', ')}`);
  if (policy.failOn === 'warn' && warns.length > 0)
    reasons.push(`${warns.length} warned: ${warns.join(', ')}`);
  if (policy.minScore !== undefined && (score ?? 0) < policy.minScore) {
    reasons.push(`score ${score ?? 'n/a'} is below --min-score ${policy.minScore}`);
  }
  if (reasons.length > 0) exitCode = 1;
  const unread = sources.filter((s) => s.status !== 'ok');
  const errors = bad('error');
  if (!policy.allowIncomplete && (unread.length > 0 || errors.length > 0)) {
    const what = [
      ...unread.map((s) => `${s.source} ${s.target} (${s.status})`),
      ...(errors.length > 0 ? [`${errors.length} check(s) in error: ${errors.join(', ')}`] : []),
    ];
    reasons.push(`incomplete audit: ${what.join('; ')}`);
    exitCode = 3;
  }
  return { passed: exitCode === 0, exitCode, failOn: policy.failOn, minScore: policy.minScore, reasons };
}

export function buildReport(
  facts: Facts,
  results: CheckResult[],
  policy: Policy,
  durationMs: number,
): Report {
  const sources: Report['sources'] = [];
  for (const [name, targets] of Object.entries(facts.sources)) {
    for (const t of targets ?? []) {
      sources.push({
        source: name as SourceName,
        target: t.target,
        status: t.status,
        message: t.message,
        durationMs: t.durationMs,
      });
    }
  }
  const ordered = [...results].sort(
    (a, b) =>
      SECTION_ORDER.indexOf(a.section) - SECTION_ORDER.indexOf(b.section) ||
      a.seedRef.localeCompare(b.seedRef, 'en', { numeric: true }) ||
      a.id.localeCompare(b.id),
  );
  const sections: SectionScore[] = SECTION_ORDER.flatMap((section) => {
    const inSection = ordered.filter((r) => r.section === section);
    if (inSection.length === 0) return [];
    return [{ section, ...scoreOf(inSection) }];
  });
  const { score, counts } = scoreOf(ordered);
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: facts.tool,
    startedAt: facts.collectedAt,
    durationMs,
    projectDir: facts.projectDir,
    sources,
    results: ordered,
    score,
    sections,
    counts,
    gate: judge(ordered, sources, score, policy),
  };
}
