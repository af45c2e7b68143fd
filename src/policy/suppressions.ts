import type { InlineIgnore } from '../collectors/inline-ignores.js';
import type { Facts } from '../core/facts.js';
import type { CheckResult, InlineSuppression, ReportEvidence, SuppressionStatus } from '../core/report.js';
import { findingsOf } from './findings.js';

/** The inline comments the file collectors recorded (compose files, Dockerfiles, manifests, the app's Python). */
export function inlineIgnoresOf(facts: Facts): InlineIgnore[] {
  const all: InlineIgnore[] = [];
  for (const source of ['compose', 'dockerfile', 'k8s', 'app'] as const) {
    for (const t of facts.sources[source] ?? []) {
      const data = t.data as { ignores?: InlineIgnore[] } | undefined;
      all.push(...(data?.ignores ?? []));
    }
  }
  const seen = new Set<string>();
  return all.filter((i) => {
    const key = `${i.file}\u0000${i.line}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function stateOf(i: InlineIgnore, known: ReadonlySet<string>): SuppressionStatus['state'] | undefined {
  if (!i.check) return 'malformed';
  if (!known.has(i.check)) return 'unknown-check';
  if (!i.reason) return 'no-reason';
  return undefined;
}

/**
 * Marks each failing or warning finding that an inline comment names (its check, its file, the
 * line the comment applies to) as suppressed, with the reason; a result all of whose findings are
 * suppressed is suppressed (its status stays, as for a waiver). A comment without a check id,
 * naming an unknown check or without a reason suppresses nothing; each comment's state is
 * returned, so the unused and the invalid ones can be reported.
 */
export function applySuppressions(
  results: readonly CheckResult[],
  ignores: readonly InlineIgnore[],
  known: ReadonlySet<string>,
): { results: CheckResult[]; suppressions: SuppressionStatus[] } {
  const statuses = ignores.map(
    (i): SuppressionStatus => ({
      file: i.file,
      line: i.line,
      appliesTo: i.appliesTo,
      ...(i.check ? { check: i.check } : {}),
      ...(i.reason ? { reason: i.reason } : {}),
      state: stateOf(i, known) ?? 'unused',
      covers: [],
    }),
  );
  const valid = statuses.filter((s) => s.state === 'unused');
  if (valid.length === 0) return { results: [...results], suppressions: statuses };
  const out = results.map((r) => {
    const findings = findingsOf(r);
    if (findings.length === 0) return r;
    const evidence: ReportEvidence[] = [...r.evidence];
    const used: InlineSuppression[] = [];
    let suppressed = 0;
    for (const f of findings) {
      if (f.evidence === undefined) continue;
      const e = evidence[f.evidence]!;
      if (!e.file || !e.line) continue;
      const s = valid.find((v) => v.check === r.id && v.file === e.file && v.appliesTo === e.line);
      if (!s) continue;
      const suppression: InlineSuppression = { check: r.id, reason: s.reason!, file: s.file, line: s.line };
      evidence[f.evidence] = { ...e, suppressed: suppression };
      s.covers.push(f.fingerprint);
      if (!used.some((u) => u.file === s.file && u.line === s.line)) used.push(suppression);
      suppressed++;
    }
    if (suppressed === 0) return r;
    return { ...r, evidence, ...(suppressed === findings.length ? { suppressed: used } : {}) };
  });
  for (const s of valid) if (s.covers.length > 0) s.state = 'used';
  return { results: out, suppressions: statuses };
}

/** Whether every finding of a result is suppressed inline. */
export const isSuppressed = (r: CheckResult): boolean => r.suppressed !== undefined;

/** The warning for a comment that suppresses nothing; undefined for one in use. */
export function suppressionWarning(s: SuppressionStatus): string | undefined {
  const at = `inline ignore ${s.file}:${s.line}`;
  switch (s.state) {
    case 'used':
      return undefined;
    case 'unused':
      return `${at} (${s.check}) matches no finding on line ${s.appliesTo}: remove it`;
    case 'unknown-check':
      return `${at} names an unknown check "${s.check}": it suppresses nothing`;
    case 'no-reason':
      return `${at} (${s.check}) has no reason (# strisk-ignore ${s.check}: REASON): it suppresses nothing`;
    case 'malformed':
      return `${at} names no check (# strisk-ignore CHECK: REASON): it suppresses nothing`;
  }
}

/** One line for a suppressed result or finding, for the reporters. */
export function suppressionText(list: readonly InlineSuppression[]): string {
  return list.map((s) => `suppressed at ${s.file}:${s.line}: ${s.reason}`).join('; ');
}
