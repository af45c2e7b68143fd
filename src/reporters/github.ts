import type { Evidence } from '../core/check.js';
import type { CheckResult, Report } from '../core/report.js';
import { evidenceSummary, githubData, githubProperty } from './escape.js';

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

function annotations(r: CheckResult): string[] {
  const waived = r.waiver && r.waiver.state !== 'expired';
  const kind = waived ? 'notice' : r.status === 'fail' ? 'error' : 'warning';
  const title = `strisk ${r.id}: ${r.title}${waived ? ' (waived)' : ''}`;
  const bad = r.evidence.filter((e) => e.status === 'fail' || e.status === 'warn');
  const ev: Evidence[] = bad.length > 0 ? bad : r.evidence;
  const located = ev.filter((e) => e.file);
  const live = ev.filter((e) => !e.file);
  const text = (list: Evidence[]) =>
    [r.message ?? r.title, ...list.map(evidenceSummary), r.remediation ? `Fix: ${r.remediation.summary}` : '']
      .filter(Boolean)
      .join('\n');
  const lines = located.map((e) => command(kind, { file: e.file, line: e.line, title }, text([e])));
  if (live.length > 0 || located.length === 0) lines.push(command(kind, { title }, text(live)));
  return lines;
}

/** GitHub Actions workflow commands: an annotation per failing or warning finding, then the verdict. */
export function githubReport(report: Report): string {
  const out = report.results.filter((r) => r.status === 'fail' || r.status === 'warn').flatMap(annotations);
  for (const r of report.results.filter((x) => x.status === 'error'))
    out.push(command('error', { title: `strisk ${r.id}: could not judge` }, r.message ?? 'error'));
  for (const w of report.gate.warnings ?? []) out.push(command('warning', { title: 'strisk waiver' }, w));
  const verdict = `strisk: score ${report.score ?? 'n/a'}, gate ${report.gate.passed ? 'passed' : 'failed'}${report.gate.reasons.length ? `: ${report.gate.reasons.join('; ')}` : ''}`;
  out.push(report.gate.passed ? githubData(verdict) : command('error', { title: 'strisk gate' }, verdict));
  return `${out.join('\n')}\n`;
}
