import type { CheckResult, Report } from '../core/report.js';
import { checkPageUrl } from './check-page.js';
import { evidenceSummary, markdownSafe as md } from './escape.js';
import { APPLIES_TEXT } from './scope.js';
import { formatDuration } from '../core/units.js';
import { attestationText, isWaivedResult, signoffRows, waiverText } from './signoff.js';

const ICON: Record<string, string> = { pass: '✅', fail: '❌', warn: '⚠️', skip: '⏭️', error: '❗' };

/** The fix and what it takes, in words, under the evidence. */
function fixText(r: CheckResult): string {
  if (!r.remediation || (r.status !== 'fail' && r.status !== 'warn')) return '';
  const applies = APPLIES_TEXT[r.remediation.applies];
  return `<br>**fix:** ${md(r.remediation.summary)}${applies ? ` (${applies})` : ''}`;
}

const row = (cells: string[]) => `| ${cells.join(' | ')} |`;

function evidenceCell(r: CheckResult): string {
  const bad = r.evidence.filter((e) => e.status === 'fail' || e.status === 'warn');
  const shown = (bad.length > 0 ? bad : r.evidence).slice(0, 5).map((e) => md(evidenceSummary(e)));
  const more = r.evidence.length - shown.length;
  return [...shown, ...(more > 0 ? [`… ${more} more`] : [])].join('<br>');
}

/**
 * Markdown for a pull-request comment or $GITHUB_STEP_SUMMARY, and the sign-off document: the
 * verdict, regressions, findings, waivers, attestations, then every checklist item. Every string
 * from the audited system goes through markdownSafe.
 */
export function markdownReport(report: Report): string {
  const g = report.gate;
  const waived = report.results.filter(isWaivedResult).length;
  const out: string[] = [
    `# strisk report: ${md(report.projectDir)}`,
    '',
    `**Gate ${g.passed ? 'passed ✅' : 'failed ❌'}** · score **${report.score ?? 'n/a'}** · ` +
      `${report.counts.pass} pass, ${report.counts.warn} warn, ${report.counts.fail} fail${waived ? ` (${waived} of them waived)` : ''}, ${report.counts.error} not judged, ${report.counts.skip} not run`,
    '',
    `strisk ${md(report.tool.version)} · run ${md(report.startedAt)} · took ${formatDuration(report.durationMs)}`,
    '',
  ];
  for (const reason of g.reasons) out.push(`- ${md(reason)}`);
  for (const w of g.warnings ?? []) out.push(`- ⚠️ ${md(w)}`);
  if (g.reasons.length + (g.warnings?.length ?? 0) > 0) out.push('');

  const c = report.comparison;
  if (c) {
    out.push(
      `## Compared with the baseline of ${md(c.baseline.startedAt)} (score ${c.baseline.score ?? 'n/a'})`,
      '',
    );
    if (c.regressions.length === 0) out.push('No regression.');
    for (const x of c.regressions) out.push(`- ❌ regression: ${md(x.text)}`);
    for (const x of c.improvements) out.push(`- ✅ improved: ${md(x.text)}`);
    out.push('');
  }

  const findings = report.results.filter(
    (r) => r.status === 'fail' || r.status === 'warn' || r.status === 'error',
  );
  out.push('## Findings', '');
  if (findings.length === 0) out.push('Nothing failed or warned.', '');
  else {
    out.push(
      row(['', 'check', 'seed', 'severity', 'finding', 'evidence', 'waiver']),
      row(Array(7).fill('---')),
    );
    for (const r of findings)
      out.push(
        row([
          ICON[r.status]!,
          `[\`${r.id}\`](${checkPageUrl(r.id)})`,
          r.seedRef,
          r.severity,
          r.status === 'error' ? `not judged: ${md(r.message ?? r.title)}` : md(r.message ?? r.title),
          `${evidenceCell(r)}${fixText(r)}`,
          md(waiverText(r)),
        ]),
      );
    out.push('');
  }

  if (report.waivers && report.waivers.length > 0) {
    out.push(
      '## Waivers',
      '',
      row(['check', 'target', 'owner', 'expires', 'state', 'reason']),
      row(Array(6).fill('---')),
    );
    for (const w of report.waivers)
      out.push(row([md(w.check), md(w.target ?? 'all'), md(w.owner), md(w.expires), w.state, md(w.reason)]));
    out.push('');
  }
  if (report.attestations && report.attestations.length > 0) {
    out.push('## Attestations', '', row(['check', 'by', 'date', 'evidence']), row(Array(4).fill('---')));
    for (const a of report.attestations) out.push(row([md(a.check), md(a.by), md(a.date), md(a.evidence)]));
    out.push('');
  }

  const rows = signoffRows(report);
  const audited = rows.filter((r) => r.result);
  const roadmap = rows.filter((r) => !r.result);
  out.push(
    '## Sign-off: every checklist item',
    '',
    '<details><summary>All items with their verdict, in checklist order</summary>',
    '',
  );
  out.push(row(['item', 'check', 'verdict', 'reason', 'waiver', 'attestation']), row(Array(6).fill('---')));
  for (const s of audited) {
    const r = s.result!;
    const verdict = r.status === 'error' ? 'not judged' : r.status === 'skip' ? 'not run' : r.status;
    out.push(
      row([
        s.seedRef,
        `[\`${s.id}\`](${checkPageUrl(s.id)}) ${md(s.title)}`,
        `${ICON[r.status] ?? '·'} ${verdict}`,
        r.status === 'pass' ? '' : md(r.message ?? ''),
        md(waiverText(r)),
        s.attestations.map((a) => md(attestationText(a))).join('<br>'),
      ]),
    );
  }
  out.push('', '</details>', '');
  if (roadmap.length > 0) {
    out.push(
      '## Roadmap: checklist items strisk does not audit yet',
      '',
      '<details><summary>Not part of this audit</summary>',
      '',
      row(['item', 'id', 'rule']),
      row(Array(3).fill('---')),
      ...roadmap.map((s) => row([s.seedRef, `\`${s.id}\``, md(s.title)])),
      '',
      '</details>',
      '',
    );
  }
  return `${out.join('\n')}\n`;
}
