import { Chalk, type ChalkInstance } from 'chalk';
import Table from 'cli-table3';
import type { ResultStatus } from '../core/check.js';
import type { CheckResult, Report, ReportEvidence } from '../core/report.js';
import { suppressionText } from '../policy/suppressions.js';
import { observedText, terminalSafe } from './escape.js';

export interface TerminalOptions {
  color: boolean;
  /** Show evidence for passing checks too. */
  verbose?: boolean;
}

const SYMBOL: Record<ResultStatus, string> = { pass: '✔', fail: '✖', warn: '▲', skip: '○', error: '!' };

function paint(c: ChalkInstance, status: ResultStatus, text: string): string {
  switch (status) {
    case 'pass':
      return c.green(text);
    case 'fail':
      return c.red(text);
    case 'warn':
      return c.yellow(text);
    case 'error':
      return c.magenta(text);
    default:
      return c.dim(text);
  }
}

function evidenceLine(e: ReportEvidence): string {
  const parts = [terminalSafe(e.subject)];
  if (e.observed !== undefined) parts.push(terminalSafe(observedText(e.observed, e.unit)));
  if (e.expected) parts.push(`expected ${terminalSafe(e.expected)}`);
  let line = parts.join('  ');
  if (e.note) line += `  (${terminalSafe(e.note)})`;
  if (e.suppressed)
    line += `  [suppressed at ${terminalSafe(`${e.suppressed.file}:${e.suppressed.line}`)}: ${terminalSafe(e.suppressed.reason)}]`;
  return line;
}

function resultLines(c: ChalkInstance, r: CheckResult, verbose: boolean): string[] {
  const head = `  ${paint(c, r.status, `${SYMBOL[r.status]} ${r.status.padEnd(5)}`)} ${c.bold(r.id)}  ${terminalSafe(r.title)} ${c.dim(`[${r.seedRef}, ${r.severity}]`)}`;
  const lines = [head];
  if (r.waiver) {
    const w = r.waiver;
    const text = `${w.state === 'expired' ? 'EXPIRED waiver' : 'waived'} by ${terminalSafe(w.owner)} until ${w.expires}${w.target ? ` for ${terminalSafe(w.target)}` : ''}: ${terminalSafe(w.reason)}`;
    lines.push(`      ${w.state === 'active' ? c.cyan(text) : c.yellow(text)}`);
  }
  if (r.suppressed) lines.push(`      ${c.cyan(terminalSafe(suppressionText(r.suppressed)))}`);
  for (const why of r.regression ?? []) lines.push(`      ${c.red(`regression: ${terminalSafe(why)}`)}`);
  const detailed = verbose || (r.status !== 'pass' && r.status !== 'skip');
  if (r.message && r.status !== 'pass') lines.push(`      ${c.dim(terminalSafe(r.message))}`);
  if (detailed) {
    const shown = r.evidence.filter((e) => verbose || e.status !== 'pass');
    for (const e of shown.slice(0, 10))
      lines.push(`      ${paint(c, (e.status as ResultStatus) ?? 'skip', '•')} ${evidenceLine(e)}`);
    if (shown.length > 10) lines.push(c.dim(`      … ${shown.length - 10} more (see --format json)`));
    if (r.remediation && (r.status === 'fail' || r.status === 'warn')) {
      lines.push(
        `      ${c.cyan('fix')} ${terminalSafe(r.remediation.summary)} ${c.dim(`(${r.remediation.applies})`)}`,
      );
    }
  }
  return lines;
}

/** The terminal report: results grouped by checklist section, then a summary table with the score. */
export function terminalReport(report: Report, opts: TerminalOptions): string {
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const out: string[] = [c.bold(`strisk audit of ${terminalSafe(report.projectDir)}`), ''];
  const failedSources = report.sources.filter((s) => s.status !== 'ok');
  for (const s of failedSources) {
    out.push(
      c.magenta(
        `! ${s.source} ${terminalSafe(s.target)}: ${s.status}${s.message ? ` — ${terminalSafe(s.message)}` : ''}`,
      ),
    );
  }
  if (failedSources.length > 0) out.push('');
  // Checks of sources that were not configured are one line at the end, not 40 lines of noise.
  const unconfigured = new Map<string, number>();
  const notConfigured = (r: CheckResult) => {
    const why = r.status === 'skip' && !opts.verbose ? r.skipReason : undefined;
    if (why?.kind !== 'source-not-configured') return false;
    unconfigured.set(why.source, (unconfigured.get(why.source) ?? 0) + 1);
    return true;
  };
  for (const section of report.sections) {
    const results = report.results.filter((r) => r.section === section.section && !notConfigured(r));
    if (results.length === 0) continue;
    const score = section.score === null ? 'n/a' : `${section.score}%`;
    out.push(c.bold.underline(`${section.section}`) + c.dim(`  score ${score}`));
    for (const r of results) out.push(...resultLines(c, r, opts.verbose ?? false));
    out.push('');
  }
  if (unconfigured.size > 0) {
    const list = [...unconfigured].map(([source, n]) => `${source} (${n})`).join(', ');
    out.push(c.dim(`○ skipped, source not configured: ${list}`), '');
  }
  const table = new Table({
    head: ['pass', 'warn', 'fail', 'error', 'skip', 'score'],
    style: { head: [], border: [] },
  });
  const n = report.counts;
  table.push([n.pass, n.warn, n.fail, n.error, n.skip, report.score === null ? 'n/a' : `${report.score}%`]);
  out.push(table.toString());
  const cmp = report.comparison;
  if (cmp) {
    out.push(
      `compared with the baseline of ${terminalSafe(cmp.baseline.startedAt)}: ${cmp.regressions.length} regression(s), ${cmp.improvements.length} improvement(s)`,
    );
    for (const x of cmp.improvements) out.push(c.green(`  improved: ${terminalSafe(x.text)}`));
  }
  for (const w of report.gate.warnings ?? []) out.push(c.yellow(`▲ ${terminalSafe(w)}`));
  const verdict = report.gate.passed ? c.green('gate passed') : c.red('gate failed');
  out.push(
    `${verdict}${report.gate.reasons.length ? `: ${report.gate.reasons.map(terminalSafe).join('; ')}` : ''}`,
  );
  return `${out.join('\n')}\n`;
}
