import { create } from 'xmlbuilder2';
import type { Evidence } from '../core/check.js';
import type { CheckResult, Report } from '../core/report.js';
import { suppressionText } from '../policy/suppressions.js';
import { evidenceSummary, xmlSafe } from './escape.js';

function evidenceText(evidence: readonly Evidence[]): string {
  return evidence.map((e) => `- ${evidenceSummary(e)}`).join('\n');
}

function body(r: CheckResult): string {
  const lines = [r.message ?? r.title, evidenceText(r.evidence)];
  if (r.remediation)
    lines.push(
      `Remediation (${r.remediation.applies}): ${r.remediation.summary}`,
      r.remediation.change ?? '',
    );
  return xmlSafe(lines.filter(Boolean).join('\n'));
}

/**
 * JUnit XML: one testsuite per checklist section, every check a testcase (passes included, so CI
 * dashboards show what passed). fail → <failure>, error → <error>, skip → <skipped>; warn passes
 * with its text in <system-out>.
 */
export function junitReport(report: Report): string {
  const bySection = new Map<string, CheckResult[]>();
  for (const r of report.results) {
    const list = bySection.get(r.section) ?? [];
    list.push(r);
    bySection.set(r.section, list);
  }
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele('testsuites', {
    name: 'strisk',
    tests: report.results.length,
    failures: report.counts.fail,
    errors: report.counts.error,
    skipped: report.counts.skip,
    time: seconds(report.durationMs),
    timestamp: report.startedAt,
  });
  for (const [section, results] of bySection) {
    const count = (s: string) => results.filter((r) => r.status === s).length;
    const suite = root.ele('testsuite', {
      name: xmlSafe(section),
      tests: results.length,
      failures: count('fail'),
      errors: count('error'),
      skipped: count('skip'),
      time: seconds(results.reduce((a, r) => a + r.durationMs, 0)),
      timestamp: report.startedAt,
    });
    for (const r of results) {
      const tc = suite.ele('testcase', {
        classname: `strisk.${r.id.split('/')[0]}`,
        name: xmlSafe(`${r.id}: ${r.title}`),
        time: seconds(r.durationMs),
      });
      const text = body(r);
      // A waived failure is accepted for now: skipped, with who accepted it and until when.
      if (r.waiver && r.waiver.state !== 'expired' && (r.status === 'fail' || r.status === 'warn'))
        tc.ele('skipped', {
          message: xmlSafe(`waived by ${r.waiver.owner} until ${r.waiver.expires}: ${r.waiver.reason}`),
        });
      // Every finding suppressed by an inline `# strisk-ignore`: skipped, with where and why.
      else if (r.suppressed && (r.status === 'fail' || r.status === 'warn'))
        tc.ele('skipped', { message: xmlSafe(suppressionText(r.suppressed)) });
      else if (r.status === 'fail')
        tc.ele('failure', { message: xmlSafe(r.message ?? r.title), type: r.severity }).txt(text);
      else if (r.status === 'error')
        tc.ele('error', { message: xmlSafe(r.message ?? 'error'), type: 'error' }).txt(text);
      else if (r.status === 'skip') tc.ele('skipped', { message: xmlSafe(r.message ?? 'skipped') });
      else if (r.status === 'warn') tc.ele('system-out').txt(`WARN: ${text}`);
    }
  }
  return `${root.end({ prettyPrint: true })}\n`;
}
