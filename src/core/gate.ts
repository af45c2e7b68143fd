import type { Baseline } from '../policy/baseline.js';
import { compareRuns, type Tolerances } from '../policy/compare.js';
import { withFingerprints } from '../policy/findings.js';
import {
  applySuppressions,
  inlineIgnoresOf,
  isSuppressed,
  suppressionWarning,
} from '../policy/suppressions.js';
import { applyWaivers, describeWaiver, isWaived } from '../policy/waivers.js';
import { ROADMAP, SECTIONS } from './catalogue.js';
import { SEVERITIES, type Severity } from './check.js';
import type { Facts, SourceName } from './facts.js';
import { byNumberedText, byText } from './order.js';
import {
  type CheckResult,
  type Comparison,
  type FailOn,
  type GateVerdict,
  REPORT_SCHEMA_VERSION,
  type Report,
  type SectionScore,
  type SuppressionStatus,
  scoreOf,
  type Waiver,
  type WaiverStatus,
} from './report.js';

export interface Policy {
  failOn: FailOn;
  minScore?: number;
  /**
   * With it, the status gate (`failOn` fail or warn) counts only results of this severity or
   * above; with `failOn` regression, such a failure fails the gate on top of the regressions.
   */
  failOnSeverity?: Severity;
  allowIncomplete?: boolean;
  waivers?: readonly Waiver[];
  /** An earlier report: with it, regressions fail the gate (except with failOn `never`). */
  baseline?: Baseline;
  tolerances?: Tolerances;
  /** False with `--no-inline-ignores`: `# strisk-ignore` comments are not applied. */
  inlineIgnores?: boolean;
  /** Every check id the run knows (built-ins, plugins, roadmap): an inline ignore naming another is unknown. */
  knownChecks?: readonly string[];
}

export interface Judged {
  comparison?: Comparison;
  waivers?: WaiverStatus[];
  suppressions?: SuppressionStatus[];
}

/** True when severity `s` is `level` or more severe (critical > high > medium > low > info). */
export function atLeast(s: Severity, level: Severity): boolean {
  return SEVERITIES.indexOf(s) <= SEVERITIES.indexOf(level);
}

/** The checklist's sections in order, then any other (a plugin's) in the order results name them. */
function sectionOrder(results: readonly CheckResult[]): string[] {
  return [...new Set([...SECTIONS.map((s) => s.name), ...results.map((r) => r.section)])];
}

/** The gate: 1 when a judged result breaks the policy, 3 when the audit is incomplete; the highest wins. */
export function judge(
  results: readonly CheckResult[],
  sources: Report['sources'],
  score: number | null,
  policy: Policy,
  extra: Judged = {},
): GateVerdict {
  const reasons: string[] = [];
  const warnings: string[] = [];
  let exitCode: 0 | 1 | 3 = 0;
  const judged = results.filter((r) => r.kind !== 'info');
  const bad = (status: string) => judged.filter((r) => r.status === status).map((r) => r.id);
  // A waived failure does not fail the gate; one whose waiver expired does.
  // With --fail-on-severity, only results at or above that severity count for the status gate.
  const level = policy.failOnSeverity;
  const severe = (r: CheckResult) => level === undefined || atLeast(r.severity, level);
  const unwaived = (status: string) =>
    judged
      .filter((r) => r.status === status && !isWaived(r) && !isSuppressed(r) && severe(r))
      .map((r) => r.id);
  const fails = unwaived('fail');
  const warns = unwaived('warn');
  const gating = policy.failOn !== 'never';
  const atOrAbove = level ? ` at or above ${level} severity` : '';
  const statusGate =
    policy.failOn === 'fail' || policy.failOn === 'warn' || (policy.failOn === 'regression' && level);
  if (statusGate && fails.length > 0) reasons.push(`${fails.length} failed${atOrAbove}: ${fails.join(', ')}`);
  if (policy.failOn === 'warn' && warns.length > 0)
    reasons.push(`${warns.length} warned${atOrAbove}: ${warns.join(', ')}`);
  const waivedIds = new Set(results.filter((r) => isWaived(r) || isSuppressed(r)).map((r) => r.id));
  const regressions = (extra.comparison?.regressions ?? []).filter((c) => !waivedIds.has(c.id));
  if (gating && regressions.length > 0)
    reasons.push(`${regressions.length} regression(s): ${regressions.map((c) => c.text).join('; ')}`);
  for (const w of extra.waivers ?? []) {
    if (w.state === 'expired' && gating)
      reasons.push(`expired waiver: ${describeWaiver(w)} expired ${w.expires}`);
    if (w.state === 'expiring')
      warnings.push(`waiver ${describeWaiver(w)} expires ${w.expires} (in ${w.daysLeft} day(s))`);
  }
  // An inline ignore that suppresses nothing (unused, unknown check, no reason) is warned about.
  for (const s of extra.suppressions ?? []) {
    const w = suppressionWarning(s);
    if (w) warnings.push(w);
  }
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
  return {
    passed: exitCode === 0,
    exitCode,
    failOn: policy.failOn,
    ...(level ? { failOnSeverity: level } : {}),
    minScore: policy.minScore,
    reasons,
    ...(warnings.length > 0 ? { warnings } : {}),
  };
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
  const waived = applyWaivers(results, policy.waivers ?? [], facts.collectedAt);
  const order = sectionOrder(results);
  const fingerprinted = waived.results.map(withFingerprints);
  const known = new Set([...(policy.knownChecks ?? ROADMAP.map((e) => e.id)), ...results.map((r) => r.id)]);
  const inline =
    policy.inlineIgnores === false
      ? undefined
      : applySuppressions(fingerprinted, inlineIgnoresOf(facts), known);
  let ordered = (inline?.results ?? fingerprinted).sort(
    (a, b) =>
      order.indexOf(a.section) - order.indexOf(b.section) ||
      byNumberedText(a.seedRef, b.seedRef) ||
      byText(a.id, b.id),
  );
  const sections: SectionScore[] = order.flatMap((section) => {
    const inSection = ordered.filter((r) => r.section === section);
    if (inSection.length === 0) return [];
    return [{ section, ...scoreOf(inSection) }];
  });
  const { score, counts } = scoreOf(ordered);
  let comparison: Comparison | undefined;
  if (policy.baseline) {
    const b = policy.baseline;
    comparison = {
      baseline: { file: b.file, startedAt: b.startedAt, toolVersion: b.tool.version, score: b.score },
      ...compareRuns(b.results, ordered, policy.tolerances),
    };
    const regressions = comparison.regressions;
    ordered = ordered.map((r) => {
      const why = regressions.filter((c) => c.id === r.id).map((c) => c.text);
      return why.length > 0 ? { ...r, regression: why } : r;
    });
  }
  const extra: Judged = {
    comparison,
    waivers: policy.waivers && policy.waivers.length > 0 ? waived.waivers : undefined,
    suppressions: inline && inline.suppressions.length > 0 ? inline.suppressions : undefined,
  };
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
    gate: judge(ordered, sources, score, policy, extra),
    ...(extra.waivers ? { waivers: extra.waivers } : {}),
    ...(facts.attestations && facts.attestations.length > 0 ? { attestations: facts.attestations } : {}),
    ...(comparison ? { comparison } : {}),
    ...(extra.suppressions ? { suppressions: extra.suppressions } : {}),
  };
}
