import { CHECKS } from '../checks/index.js';
import { bySection, ROADMAP, SECTIONS, sectionOf } from '../core/catalogue.js';
import type { Attestation } from '../core/facts.js';
import { byNumberedText } from '../core/order.js';
import type { CheckResult, Report, SectionScore, SourceSummary } from '../core/report.js';
import { suppressionText } from '../policy/suppressions.js';

export interface SignoffRow {
  seedRef: string;
  section: string;
  id: string;
  /** The result's title; for an item strisk does not audit, the checklist's rule. */
  title: string;
  kind: string;
  /** The result's status, or why there is none. */
  verdict: string;
  result?: CheckResult;
  attestations: Attestation[];
}

const SECTION_ORDER = SECTIONS.map((s) => s.name);
const rank = (section: string) => {
  const i = SECTION_ORDER.indexOf(section);
  return i < 0 ? SECTION_ORDER.length : i;
};

/**
 * Every checklist item, implemented or not, with this run's verdict: the sign-off list, in
 * checklist order (by section, then item number).
 */
export function signoffRows(report: Report): SignoffRow[] {
  const byId = new Map(report.results.map((r) => [r.id, r]));
  // The checklist: every built-in check and every roadmap item, whether this run judged it or not.
  const items = [
    ...CHECKS.map((c) => ({
      id: c.id,
      seedRef: c.seedRef,
      kind: c.kind,
      section: sectionOf(c),
      title: c.title,
    })),
    ...ROADMAP.filter((e) => !CHECKS.some((c) => c.id === e.id)).map((e) => ({ ...e, title: e.rule })),
  ].sort(bySection());
  const listed = new Set(items.map((e) => e.id));
  const rows: SignoffRow[] = items.map((e) => {
    const result = byId.get(e.id);
    return {
      seedRef: e.seedRef,
      section: e.section,
      id: e.id,
      title: result?.title ?? e.title,
      kind: e.kind,
      verdict: result ? result.status : 'not run',
      result,
      attestations: (report.attestations ?? []).filter((a) => a.check === e.id),
    };
  });
  // A plugin's checks, after the checklist's, as the report orders them.
  for (const r of report.results) {
    if (!listed.has(r.id))
      rows.push({
        seedRef: r.seedRef,
        section: r.section,
        id: r.id,
        title: r.title,
        kind: r.kind,
        verdict: r.status,
        result: r,
        attestations: (report.attestations ?? []).filter((a) => a.check === r.id),
      });
  }
  return rows
    .map((row, i) => ({ row, i }))
    .sort(
      (a, b) =>
        rank(a.row.section) - rank(b.row.section) ||
        byNumberedText(a.row.seedRef, b.row.seedRef) ||
        a.i - b.i,
    )
    .map(({ row }) => row);
}

export const waiverText = (r: CheckResult): string =>
  [
    r.waiver
      ? `${r.waiver.state === 'expired' ? 'EXPIRED ' : ''}waived by ${r.waiver.owner} until ${r.waiver.expires}: ${r.waiver.reason}`
      : '',
    r.suppressed ? suppressionText(r.suppressed) : '',
  ]
    .filter(Boolean)
    .join('; ');

export const attestationText = (a: Attestation): string =>
  `${a.by}, ${a.date}: ${a.evidence}${a.note ? ` (${a.note})` : ''}`;

/**
 * A waiver that still holds, or inline `# strisk-ignore` comments that suppress every finding: the
 * result is shown as waived and the gate does not count it.
 */
export const isWaivedResult = (r: CheckResult): boolean =>
  (r.waiver !== undefined && r.waiver.state !== 'expired') || r.suppressed !== undefined;

/** The source a skipped result was missing, when that is why it was skipped (its skipReason). */
export function notConfiguredSource(r: CheckResult): string | undefined {
  if (r.status !== 'skip') return undefined;
  if (r.skipReason) return r.skipReason.kind === 'source-not-configured' ? r.skipReason.source : undefined;
  // Reports written before skip reasons were recorded say it in the message only.
  return /^source (\w+) is not configured$/.exec(r.message ?? '')?.[1];
}

/** The results a source that could not be read kept from being judged. */
export function blockedBy(results: readonly CheckResult[], s: SourceSummary): CheckResult[] {
  return results.filter(
    (r) =>
      r.status === 'error' &&
      (r.message ?? '').startsWith(`source ${s.source} could not be read`) &&
      r.evidence.some((e) => e.subject === `${s.source} ${s.target}`),
  );
}

/**
 * A section's score for people: `n/a` when nothing in it was judged pass, warn or fail (only
 * errors or skips), since a score of 0% would read as "everything failed".
 */
export function sectionScoreText(s: SectionScore): string {
  const judged = s.counts.pass + s.counts.warn + s.counts.fail;
  return s.score === null || judged === 0 ? 'n/a' : `${s.score}%`;
}

/** The command that prints a check's page. */
export const explainCommand = (id: string): string => `strisk explain ${id}`;
