import { createHash } from 'node:crypto';
import type { CheckResult, Report } from '../core/report.js';
import { formatDuration, formatQuantity } from '../core/units.js';
import { checkPageUrl } from './check-page.js';
import { evidenceSummary, htmlSafe as h } from './escape.js';
import { jsonReport } from './json.js';
import { type Measure, measuresOf } from './measures.js';
import { APPLIES_TEXT } from './scope.js';
import { attestationText, type SignoffRow, sectionScoreText, signoffRows, waiverText } from './signoff.js';

// No script, and a policy that forbids any request: the file renders the same offline.
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:70rem;color:#1d2330;padding:0 1rem}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}
h3{font-size:1rem;margin:1.2rem 0 .3rem}
.score{font-size:3rem;font-weight:700}.gate-passed{color:#137333}.gate-failed{color:#b3261e}
table{border-collapse:collapse;width:100%;margin:.5rem 0}td,th{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top;overflow-wrap:anywhere}
@media (max-width:700px){body{margin:1rem auto;padding:0 .5rem}td,th{padding:.2rem .3rem}.score{font-size:2rem}}
th{background:#f6f7f9}.meta td:first-child{width:14rem;color:#555}
.pass{color:#137333}.fail{color:#b3261e}.warn{color:#a56300}.error{color:#8e24aa}.skip,.muted{color:#666}
code,.mono{font-family:ui-monospace,monospace;font-size:.9em;overflow-wrap:anywhere}ul{margin:.2rem 0;padding-left:1.2rem}
svg{display:block;max-width:100%;height:auto}.chart text{font:12px system-ui,sans-serif;fill:#1d2330}
.signoff-block{border:2px solid #1d2330;padding:1rem;margin-top:1rem;break-inside:avoid}
.signoff-block .line{border-bottom:1px solid #1d2330;min-height:1.6rem;margin:.3rem 0 .8rem}
.sec-row td{background:#f0f2f5;font-weight:600}
@media print{body{margin:0;max-width:none;font-size:11px}h2{break-after:avoid}tr,svg,.signoff-block{break-inside:avoid}a{color:inherit;text-decoration:none}}
@page{margin:15mm}`;

const tr = (cells: string[], tag = 'td') => `<tr>${cells.map((c) => `<${tag}>${c}</${tag}>`).join('')}</tr>`;
const table = (head: string[], rows: string[], attrs = '') =>
  `<table${attrs}>${tr(head.map(h), 'th')}${rows.join('')}</table>`;
const status = (s: string, label = s) => `<span class="${h(s)}">${h(label)}</span>`;
const checkLink = (id: string) => `<a href="${h(checkPageUrl(id))}"><code>${h(id)}</code></a>`;

const COLOR: Record<string, string> = { pass: '#137333', warn: '#a56300', fail: '#b3261e', error: '#8e24aa' };

/** The score of each section as a horizontal bar (0–100), n/a where nothing was judged. */
function sectionChart(report: Report): string {
  const rows = report.sections.map((s) => {
    const text = sectionScoreText(s);
    const judged = text !== 'n/a';
    const score = judged ? (s.score ?? 0) : 0;
    const color = score >= 80 ? COLOR.pass : score >= 50 ? COLOR.warn : COLOR.fail;
    const bar = `<svg class="chart" viewBox="0 0 300 16" width="300" height="16" role="img" aria-label="${h(s.section)} ${h(text)}"><rect x="0" y="2" width="300" height="12" fill="#eee"/>${judged ? `<rect class="score-bar" x="0" y="2" width="${(score * 3).toFixed(1)}" height="12" fill="${color}"/>` : ''}</svg>`;
    const n = s.counts;
    return `<tr class="section" data-section="${h(s.section)}" data-score="${s.score ?? ''}"><td>${h(s.section)}</td><td>${bar}</td><td class="section-score">${h(text)}</td><td class="muted">${n.pass} pass · ${n.warn} warn · ${n.fail} fail · ${n.error} not judged · ${n.skip} not run</td></tr>`;
  });
  return `<table id="sections">${tr(['section', 'score', '', 'results'].map(h), 'th')}${rows.join('')}</table>`;
}

/** Measured values against their thresholds: a bar per value, the threshold marked by a line. */
function measureChart(measures: Measure[]): string {
  if (measures.length === 0) return '<p class="muted">No measured value with a threshold in this run.</p>';
  const rowH = 34;
  const labelW = 330;
  const barW = 360;
  const rows = measures.map((m, i) => {
    // The scale runs to whichever is larger, with room past the threshold so the mark is visible.
    const max = Math.max(m.value, m.threshold) * 1.25 || 1;
    const x = (v: number) => labelW + (Math.max(0, v) / max) * barW;
    const y = i * rowH;
    const over = m.kind === 'max' ? m.value > m.threshold : m.value < m.threshold;
    const color =
      m.status === 'fail' ? COLOR.fail : m.status === 'warn' ? COLOR.warn : over ? COLOR.warn : COLOR.pass;
    const label = `${m.id} · ${m.subject}`;
    const shortLabel = label.length > 52 ? `${label.slice(0, 51)}…` : label;
    return (
      `<g class="measure" data-check="${h(m.id)}" data-subject="${h(m.subject)}" data-value="${m.value}" data-threshold="${m.threshold}" data-kind="${m.kind}">` +
      `<title>${h(label)}</title>` +
      `<text x="0" y="${y + 14}">${h(shortLabel)}</text>` +
      `<rect x="${labelW}" y="${y + 4}" width="${barW}" height="14" fill="#eee"/>` +
      `<rect class="value-bar" x="${labelW}" y="${y + 4}" width="${(x(m.value) - labelW).toFixed(1)}" height="14" fill="${color}"/>` +
      `<line class="threshold" x1="${x(m.threshold).toFixed(1)}" x2="${x(m.threshold).toFixed(1)}" y1="${y}" y2="${y + 22}" stroke="#1d2330" stroke-width="2"/>` +
      `<text class="value" x="${labelW}" y="${y + 32}">${h(formatQuantity(m.value, m.unit))} · limit ${m.kind === 'max' ? '≤' : '≥'} ${h(formatQuantity(m.threshold, m.unit))}</text>` +
      '</g>'
    );
  });
  const height = measures.length * rowH + 4;
  return `<svg id="measures" class="chart" viewBox="0 0 ${labelW + barW + 240} ${height}" width="${labelW + barW + 240}" height="${height}" role="img" aria-label="measured values against their thresholds">${rows.join('')}</svg>`;
}

/** With a baseline: each measured value that moved beyond its tolerance, before and after. */
function metricChanges(c: NonNullable<Report['comparison']>): string {
  const moved = [
    ...c.regressions.map((x) => ({ x, worse: true })),
    ...c.improvements.map((x) => ({ x, worse: false })),
  ].filter(({ x }) => x.metric);
  if (moved.length === 0) return '';
  return table(
    ['check', 'value', 'baseline', 'now', 'change'],
    moved.map(({ x, worse }) => {
      const m = x.metric!;
      const pct =
        m.from === 0
          ? ''
          : ` (${m.change > 0 ? '+' : ''}${formatQuantity((100 * m.change) / Math.abs(m.from), '%')})`;
      return tr([
        checkLink(x.id),
        h(`${m.name}${m.subject ? ` · ${m.subject}` : ''}`),
        h(formatQuantity(m.from, m.unit)),
        h(formatQuantity(m.to, m.unit)),
        status(
          worse ? 'fail' : 'pass',
          `${m.change > 0 ? '+' : ''}${formatQuantity(m.change, m.unit)}${pct}`,
        ),
      ]);
    }),
    ' id="metric-changes"',
  );
}

function finding(r: CheckResult): string {
  const ev = r.evidence
    .slice(0, 50)
    .map((e) => {
      // The subject often is the file:line already; print the location only when it adds one.
      const where = e.file ? `${e.file}${e.line ? `:${e.line}` : ''}` : '';
      const extra = where && !e.subject.includes(where) ? ` <span class="mono">${h(where)}</span>` : '';
      return `<li class="${h(e.status ?? '')}">${h(evidenceSummary(e))}${extra}</li>`;
    })
    .join('');
  const fix = r.remediation
    ? `<b>Fix</b>: ${h(r.remediation.summary)}${APPLIES_TEXT[r.remediation.applies] ? ` <span class="muted">(${h(APPLIES_TEXT[r.remediation.applies])})</span>` : ''}`
    : '';
  const judged = r.status === 'fail' || r.status === 'warn';
  return tr([
    status(r.status, judged ? r.status : 'not judged'),
    `${checkLink(r.id)}<br>${h(judged ? r.title : (r.message ?? r.title))}`,
    h(r.seedRef),
    h(r.severity),
    `${judged && r.message ? `${h(r.message)}` : ''}<ul>${ev}</ul>${fix}`,
    h(waiverText(r)),
  ]);
}

/** The reason a result carries when it was not judged (skip, error), else the verdict's line. */
function verdictNote(s: SignoffRow): string {
  const r = s.result;
  if (!r) return '';
  if (r.status === 'skip' || r.status === 'error') return h(r.message ?? '');
  return r.status === 'pass' ? '' : h(r.message ?? '');
}

function signoffTable(rows: SignoffRow[]): string {
  const sections = [...new Set(rows.map((r) => r.section))];
  const body = sections.flatMap((section) => [
    `<tr class="sec-row"><td colspan="6">${h(section)}</td></tr>`,
    ...rows
      .filter((r) => r.section === section)
      .map((s) =>
        tr([
          h(s.seedRef),
          `${checkLink(s.id)}<br>${h(s.title)}`,
          status(
            s.verdict === 'error' ? 'error' : s.verdict,
            s.verdict === 'error' ? 'not judged' : s.verdict === 'skip' ? 'not run' : s.verdict,
          ),
          verdictNote(s),
          s.result ? h(waiverText(s.result)) : '',
          s.attestations.map((a) => h(attestationText(a))).join('<br>'),
        ]),
      ),
  ]);
  return table(['item', 'check', 'verdict', 'reason', 'waiver', 'attestation'], body, ' id="signoff"');
}

/** One self-contained HTML file a release manager can print and sign. */
export function htmlReport(report: Report): string {
  const hash = createHash('sha256').update(jsonReport(report)).digest('hex');
  const g = report.gate;
  const info = report.signoff ?? {};
  const findings = report.results.filter((r) => ['fail', 'warn', 'error'].includes(r.status));
  const rows = signoffRows(report);
  const audited = rows.filter((r) => r.result);
  const roadmap = rows.filter((r) => !r.result);
  const c = report.comparison;
  const date = report.startedAt.slice(0, 10);
  const meta: [string, string][] = [
    ['project', h(report.projectDir)],
    [
      'environment',
      info.environment ? h(info.environment) : '<span class="muted">not given (--environment)</span>',
    ],
    [
      'project commit',
      info.git
        ? `<span class="mono" id="git-commit">${h(info.git.commit)}</span> <span id="git-dirty">${info.git.dirty ? 'with uncommitted changes' : 'clean'}</span>`
        : '<span class="muted">not a git work tree</span>',
    ],
    [
      'config',
      info.configFile
        ? `${h(info.configFile)}, sha256 <span class="mono" id="config-hash">${h(info.configSha256 ?? '')}</span>`
        : '<span class="muted">none</span>',
    ],
    ['strisk', `<span id="tool-version">${h(report.tool.version)}</span>`],
    ['run', `${h(report.startedAt)}, took ${h(formatDuration(report.durationMs))}`],
    ['sha256 of the JSON report', `<span class="mono" id="content-hash">${hash}</span>`],
  ];
  const parts = [
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    `<meta name="viewport" content="width=device-width"><title>strisk sign-off: ${h(report.projectDir)}</title><style>${STYLE}</style></head><body>`,
    `<h1>Pre-deployment sign-off: ${h(report.projectDir)}${info.environment ? ` (${h(info.environment)})` : ''}</h1>`,
    `<p><span class="score" id="score">${report.score ?? 'n/a'}</span> score · <b id="gate" class="gate-${g.passed ? 'passed' : 'failed'}">gate ${g.passed ? 'passed' : 'failed'}</b> (exit <span id="exit-code">${g.exitCode}</span>)</p>`,
    `<p id="counts">${(['pass', 'warn', 'fail', 'error', 'skip'] as const).map((k) => `<span class="${k}" data-count="${k}">${report.counts[k]} ${k === 'error' ? 'not judged' : k === 'skip' ? 'not run' : k}</span>`).join(' · ')}</p>`,
    g.reasons.length + (g.warnings?.length ?? 0) > 0
      ? `<ul id="reasons">${[...g.reasons, ...(g.warnings ?? [])].map((x) => `<li>${h(x)}</li>`).join('')}</ul>`
      : '',
    `<table class="meta" id="meta">${meta.map(([k, v]) => tr([h(k), v])).join('')}</table>`,
    `<h2>Score per checklist section</h2>${sectionChart(report)}`,
    `<h2>Measured values against their thresholds</h2><p class="muted">Each bar is a measured value; the black line is the limit its check judged it against.</p>${measureChart(measuresOf(report.results))}`,
    c
      ? `<h2>Compared with the baseline</h2><p>Baseline of ${h(c.baseline.startedAt)}, score ${c.baseline.score ?? 'n/a'}.</p><ul id="regressions">${c.regressions.map((x) => `<li class="fail">regression: ${h(x.text)}</li>`).join('')}${c.improvements.map((x) => `<li class="pass">improved: ${h(x.text)}</li>`).join('')}</ul>${metricChanges(c)}`
      : '',
    `<h2>Findings</h2>${findings.length === 0 ? '<p>Nothing failed or warned.</p>' : table(['status', 'check', 'item', 'severity', 'evidence and fix', 'waiver'], findings.map(finding), ' id="findings"')}`,
    report.waivers?.length
      ? `<h2>Waivers</h2>${table(
          ['check', 'target', 'owner', 'expires', 'state', 'reason'],
          report.waivers.map((w) =>
            tr([
              h(w.check),
              h(w.target ?? 'all'),
              h(w.owner),
              h(w.expires),
              status(w.state === 'expired' ? 'fail' : w.state === 'expiring' ? 'warn' : 'pass', w.state),
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
    `<h2>Every checklist item, in checklist order</h2>${signoffTable(audited)}`,
    roadmap.length > 0
      ? `<h2>Roadmap: checklist items strisk does not audit yet</h2><p class="muted">Not part of this audit; listed so the sign-off covers the whole checklist.</p>${table(
          ['item', 'id', 'rule'],
          roadmap.map((s) => tr([h(s.seedRef), `<code>${h(s.id)}</code>`, h(s.title)])),
          ' id="roadmap"',
        )}`
      : '',
    `<h2>Sources read</h2>${table(
      ['source', 'target', 'status', 'took'],
      report.sources.map((s) =>
        tr([
          h(s.source),
          `<span class="mono">${h(s.target)}</span>`,
          `${status(s.status === 'ok' ? 'pass' : 'error', s.status)}${s.message ? ` ${h(s.message)}` : ''}`,
          h(formatDuration(s.durationMs)),
        ]),
      ),
    )}`,
    `<div class="signoff-block" id="signoff-block"><h2>Sign-off</h2>`,
    `<p>I have reviewed this report and the items above for the release of <b>${h(report.projectDir)}</b>${info.git ? ` at commit <span class="mono">${h(info.git.commit.slice(0, 12))}</span>` : ''}.</p>`,
    `<table class="meta">${tr(['approver', `<span id="approver">${info.approver ? h(info.approver) : ''}</span><div class="line"></div>`])}${tr(['environment', `<span id="environment">${info.environment ? h(info.environment) : ''}</span><div class="line"></div>`])}${tr(['date', `<span id="signoff-date">${h(date)}</span><div class="line"></div>`])}${tr(['signature', '<div class="line"></div>'])}</table></div>`,
    '</body></html>',
  ];
  return `${parts.join('\n')}\n`;
}
