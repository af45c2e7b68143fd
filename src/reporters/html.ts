import { createHash } from 'node:crypto';
import type { CheckResult, Report } from '../core/report.js';
import { evidenceSummary, htmlSafe as h } from './escape.js';
import { jsonReport } from './json.js';
import { attestationText, signoffRows, waiverText } from './signoff.js';

// No script, and a policy that forbids any request: the file renders the same offline.
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:70rem;color:#1d2330;padding:0 1rem}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}
.score{font-size:3rem;font-weight:700}.gate-passed{color:#137333}.gate-failed{color:#b3261e}
.bar{background:#eee;border-radius:3px;height:.9rem;width:20rem;display:inline-block;vertical-align:middle}
.bar>span{display:block;height:100%;border-radius:3px;background:#1a73e8}
table{border-collapse:collapse;width:100%;margin:.5rem 0}td,th{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}
.pass{color:#137333}.fail{color:#b3261e}.warn{color:#a56300}.error{color:#8e24aa}.skip{color:#777}
code,.mono{font-family:ui-monospace,monospace;font-size:.9em}ul{margin:.2rem 0;padding-left:1.2rem}`;

const tr = (cells: string[], tag = 'td') => `<tr>${cells.map((c) => `<${tag}>${c}</${tag}>`).join('')}</tr>`;
const table = (head: string[], rows: string[]) => `<table>${tr(head.map(h), 'th')}${rows.join('')}</table>`;
const status = (s: string) => `<span class="${h(s)}">${h(s)}</span>`;

function finding(r: CheckResult): string {
  const ev = r.evidence
    .slice(0, 50)
    .map(
      (e) =>
        `<li class="${h(e.status ?? '')}">${h(evidenceSummary(e))}${e.file ? ` <span class="mono">${h(e.file)}${e.line ? `:${e.line}` : ''}</span>` : ''}</li>`,
    )
    .join('');
  return tr([
    status(r.status),
    `<code>${h(r.id)}</code>`,
    h(r.seedRef),
    h(r.severity),
    `${h(r.message ?? r.title)}<ul>${ev}</ul>${r.remediation ? `<b>Fix</b> (${h(r.remediation.applies)}): ${h(r.remediation.summary)}` : ''}`,
    h(waiverText(r)),
    h((r.regression ?? []).join('; ')),
  ]);
}

/** One self-contained HTML file: score, section bars, findings, waivers, attestations, run data, hash. */
export function htmlReport(report: Report): string {
  const hash = createHash('sha256').update(jsonReport(report)).digest('hex');
  const g = report.gate;
  const sections = report.sections
    .map(
      (s) =>
        `<tr class="section" data-section="${h(s.section)}" data-score="${s.score ?? ''}"><td>${h(s.section)}</td><td><span class="bar"><span style="width:${s.score ?? 0}%"></span></span></td><td>${s.score === null ? 'n/a' : `${s.score}%`}</td></tr>`,
    )
    .join('');
  const findings = report.results.filter((r) => ['fail', 'warn', 'error'].includes(r.status));
  const c = report.comparison;
  const parts = [
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    `<meta name="viewport" content="width=device-width"><title>strisk report: ${h(report.projectDir)}</title><style>${STYLE}</style></head><body>`,
    `<h1>strisk report: ${h(report.projectDir)}</h1>`,
    `<p><span class="score" id="score">${report.score ?? 'n/a'}</span> score · <b id="gate" class="gate-${g.passed ? 'passed' : 'failed'}">gate ${g.passed ? 'passed' : 'failed'}</b> (exit <span id="exit-code">${g.exitCode}</span>)</p>`,
    `<p id="counts">${(['pass', 'warn', 'fail', 'error', 'skip'] as const).map((k) => `<span class="${k}" data-count="${k}">${report.counts[k]} ${k}</span>`).join(' · ')}</p>`,
    g.reasons.length + (g.warnings?.length ?? 0) > 0
      ? `<ul id="reasons">${[...g.reasons, ...(g.warnings ?? [])].map((x) => `<li>${h(x)}</li>`).join('')}</ul>`
      : '',
    `<h2>Sections</h2><table id="sections">${sections}</table>`,
    c
      ? `<h2>Compared with the baseline</h2><p>Baseline of ${h(c.baseline.startedAt)}, score ${c.baseline.score ?? 'n/a'}.</p><ul id="regressions">${c.regressions.map((x) => `<li class="fail">regression: ${h(x.text)}</li>`).join('')}${c.improvements.map((x) => `<li class="pass">improved: ${h(x.text)}</li>`).join('')}</ul>`
      : '',
    `<h2>Findings</h2>${findings.length === 0 ? '<p>Nothing failed or warned.</p>' : table(['status', 'check', 'seed', 'severity', 'finding and evidence', 'waiver', 'regression'], findings.map(finding))}`,
    report.waivers?.length
      ? `<h2>Waivers</h2>${table(
          ['check', 'target', 'owner', 'expires', 'state', 'reason'],
          report.waivers.map((w) =>
            tr([
              h(w.check),
              h(w.target ?? 'all'),
              h(w.owner),
              h(w.expires),
              status(w.state === 'expired' ? 'fail' : w.state === 'expiring' ? 'warn' : 'pass').replace(
                />[a-z]+</,
                `>${w.state}<`,
              ),
              h(w.reason),
            ]),
          ),
        )}`
      : '',
    report.attestations?.length
      ? `<h2>Attestations</h2>${table(
          ['check', 'by', 'date', 'evidence'],
          report.attestations.map((a) =>
            tr([h(a.check), h(a.by), h(a.date), `<span class="mono">${h(a.evidence)}</span>`]),
          ),
        )}`
      : '',
    `<h2>Sign-off: every checklist item</h2>${table(
      ['seed', 'check', 'kind', 'verdict', 'waiver', 'attestation'],
      signoffRows(report).map((s) =>
        tr([
          h(s.seedRef),
          `<code>${h(s.id)}</code>`,
          h(s.kind),
          status(s.verdict),
          s.result ? h(waiverText(s.result)) : '',
          s.attestations.map((a) => h(attestationText(a))).join('<br>'),
        ]),
      ),
    )}`,
    `<h2>Run</h2>${table(
      ['', ''],
      [
        tr(['tool', `strisk ${h(report.tool.version)}`]),
        tr(['started', h(report.startedAt)]),
        tr(['duration', `${report.durationMs} ms`]),
        tr(['project', h(report.projectDir)]),
        ...report.sources.map((s) =>
          tr([
            h(s.source),
            `${h(s.target)}: ${status(s.status === 'ok' ? 'pass' : 'error').replace(/>[a-z]+</, `>${h(s.status)}<`)} (${s.durationMs} ms)${s.message ? ` ${h(s.message)}` : ''}`,
          ]),
        ),
        tr(['sha256 of the JSON report', `<span class="mono" id="content-hash">${hash}</span>`]),
      ],
    )}`,
    '</body></html>',
  ];
  return `${parts.join('\n')}\n`;
}
