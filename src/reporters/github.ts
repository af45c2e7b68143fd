import type { CheckResult, Report, ReportEvidence } from '../core/report.js';
import { evidenceSummary, githubData, githubProperty } from './escape.js';
import { locationOf } from './locations.js';

function command(
  kind: 'error' | 'warning' | 'notice',
  props: Record<string, string | number | undefined>,
  message: string,
) {
  const p = Object.entries(props)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${githubProperty(String(v))}`)
    .join(',');
  return `::${kind}${p ? ` ${p}` : ''}::${githubData(message)}`;
}

/**
 * One annotation per failing or warning finding with a file, at its path from the repository
 * root; the findings with no file of their own together, at the anchor (the config file). A
 * waived result and a finding suppressed inline are notices that say so.
 */
function annotations(report: Report, r: CheckResult): string[] {
  const waived = r.waiver && r.waiver.state !== 'expired';
  const bad = r.evidence.filter((e) => e.status === 'fail' || e.status === 'warn');
  const ev: ReportEvidence[] = bad.length > 0 ? bad : r.evidence;
  const located = ev.filter((e) => e.file);
  const live = ev.filter((e) => !e.file);
  const text = (list: ReportEvidence[]) =>
    [r.message ?? r.title, ...list.map(evidenceSummary), r.remediation ? `Fix: ${r.remediation.summary}` : '']
      .filter(Boolean)
      .join('\n');
  const head = (quiet: boolean, note: string) => ({
    kind: quiet ? ('notice' as const) : r.status === 'fail' ? ('error' as const) : ('warning' as const),
    title: `strisk ${r.id}: ${r.title}${note}`,
  });
  const lines = located.map((e) => {
    const at = locationOf(report, r, e);
    const h = head(
      Boolean(waived || e.suppressed),
      waived ? ' (waived)' : e.suppressed ? ' (suppressed)' : '',
    );
    return command(h.kind, { file: at.file, line: at.line, title: h.title }, text([e]));
  });
  if (live.length > 0 || located.length === 0) {
    const at = locationOf(report, r);
    const h = head(Boolean(waived), waived ? ' (waived)' : '');
    lines.push(command(h.kind, { file: at.file, line: at.line, title: h.title }, text(live)));
  }
  return lines;
}

/** GitHub Actions workflow commands: an annotation per failing or warning finding, then the verdict. */
export function githubReport(report: Report): string {
  const out = report.results
    .filter((r) => r.status === 'fail' || r.status === 'warn')
    .flatMap((r) => annotations(report, r));
  for (const r of report.results.filter((x) => x.status === 'error'))
    out.push(command('error', { title: `strisk ${r.id}: could not judge` }, r.message ?? 'error'));
  for (const w of report.gate.warnings ?? []) out.push(command('warning', { title: 'strisk' }, w));
  const verdict = `strisk: score ${report.score ?? 'n/a'}, gate ${report.gate.passed ? 'passed' : 'failed'}${report.gate.reasons.length ? `: ${report.gate.reasons.join('; ')}` : ''}`;
  out.push(report.gate.passed ? githubData(verdict) : command('error', { title: 'strisk gate' }, verdict));
  return `${out.join('\n')}\n`;
}
