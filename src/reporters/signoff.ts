import { CHECKS } from '../checks/index.js';
import { bySection, ROADMAP, sectionOf } from '../core/catalogue.js';
import { suppressionText } from '../policy/suppressions.js';
import type { Attestation } from '../core/facts.js';
import type { CheckResult, Report } from '../core/report.js';

export interface SignoffRow {
  seedRef: string;
  section: string;
  id: string;
  kind: string;
  /** The result's status, or why there is none. */
  verdict: string;
  result?: CheckResult;
  attestations: Attestation[];
}

/** Every checklist item, implemented or not, with this run's verdict: the sign-off list. */
export function signoffRows(report: Report): SignoffRow[] {
  const byId = new Map(report.results.map((r) => [r.id, r]));
  // The checklist: every built-in check and every roadmap item, whether this run judged it or not.
  const items = [
    ...CHECKS.map((c) => ({ id: c.id, seedRef: c.seedRef, kind: c.kind, section: sectionOf(c) })),
    ...ROADMAP.filter((e) => !CHECKS.some((c) => c.id === e.id)),
  ].sort(bySection());
  const listed = new Set(items.map((e) => e.id));
  const rows: SignoffRow[] = items.map((e) => {
    const result = byId.get(e.id);
    return {
      seedRef: e.seedRef,
      section: e.section,
      id: e.id,
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
        kind: r.kind,
        verdict: r.status,
        result: r,
        attestations: (report.attestations ?? []).filter((a) => a.check === r.id),
      });
  }
  return rows;
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
