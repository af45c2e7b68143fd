import { CATALOGUE } from '../core/catalogue.js';
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
  const rows: SignoffRow[] = CATALOGUE.map((e) => {
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
  for (const r of report.results) {
    if (!CATALOGUE.some((e) => e.id === r.id))
      rows.push({
        seedRef: r.seedRef,
        section: r.section,
        id: r.id,
        kind: r.kind,
        verdict: r.status,
        result: r,
        attestations: [],
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
