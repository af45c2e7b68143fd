import type { ResultStatus } from '../core/check.js';
import type { CheckResult, Report, ReportEvidence, SourceSummary } from '../core/report.js';
import { expectedWithUnit } from '../core/units.js';
import { suppressionText } from '../policy/suppressions.js';
import { type Paint, paintOf } from './color.js';
import { observedText, terminalSafe } from './escape.js';
import { APPLIES_TEXT } from './scope.js';
import {
  blockedBy,
  explainCommand,
  isWaivedResult,
  notConfiguredSource,
  sectionScoreText,
} from './signoff.js';

export interface TerminalOptions {
  color: boolean;
  /** The colours, loadColors()'s (needed with `color`). */
  colors?: Paint;
  /** Show evidence for passing checks too, and every skipped check. */
  verbose?: boolean;
  /** Only the failures and the gate line (`-q`). */
  quiet?: boolean;
  /** Columns to wrap to; undefined or 0: no wrapping (a file or a pipe takes the full line). */
  width?: number;
  /** How to wrap to `width`: loadWrap()'s (needed with a width). */
  wrap?: Wrap;
}

/** Wraps text (with its colours) to `columns`. */
export type Wrap = (text: string, columns: number) => string;

/**
 * wrap-ansi, imported only for a report that wraps (a terminal, not a pipe or a file): its
 * string-width builds Unicode tables when imported.
 */
export async function loadWrap(): Promise<Wrap> {
  const { default: wrapAnsi } = await import('wrap-ansi');
  return (text, columns) => wrapAnsi(text, columns, { hard: true, trim: true });
}

/** The width to wrap to and how, or undefined: no wrapping. */
type Width = { columns: number; wrap: Wrap } | undefined;

const SYMBOL: Record<ResultStatus, string> = { pass: '✔', fail: '✖', warn: '▲', skip: '○', error: '!' };

export { colorWanted } from './color.js';

function paint(c: Paint, status: ResultStatus | 'waived', text: string): string {
  switch (status) {
    case 'pass':
      return c.green(text);
    case 'fail':
      return c.red(text);
    case 'warn':
      return c.yellow(text);
    case 'error':
      return c.magenta(text);
    case 'waived':
      return c.cyan(text);
    default:
      return c.dim(text);
  }
}

/** Lines of text wrapped to the width: the first after `indent`, the rest after `hang` spaces. */
function wrapped(text: string, indent: number, hang: number, width: Width): string[] {
  if (!width) return [' '.repeat(indent) + text];
  const room = Math.max(20, width.columns - hang);
  const first = Math.max(20, width.columns - indent);
  // Wrap the first line to its own room, then the rest to the hanging indent's.
  const [head = '', ...restOfFirst] = width.wrap(text, first).split('\n');
  const rest = restOfFirst.length ? width.wrap(restOfFirst.join(' '), room).split('\n') : [];
  return [' '.repeat(indent) + head, ...rest.map((l) => ' '.repeat(hang) + l)];
}

function evidenceText(e: ReportEvidence): string {
  let line = terminalSafe(e.subject);
  if (e.observed !== undefined) line += `: ${terminalSafe(observedText(e.observed, e.unit))}`;
  if (e.expected) line += `; expected ${terminalSafe(expectedWithUnit(e.expected, e.unit))}`;
  if (e.note) line += ` (${terminalSafe(e.note)})`;
  if (e.suppressed)
    line += ` [suppressed at ${terminalSafe(`${e.suppressed.file}:${e.suppressed.line}`)}: ${terminalSafe(e.suppressed.reason)}]`;
  return line;
}

interface Ctx {
  c: Paint;
  width: Width;
  verbose: boolean;
}

/** A result not judged (error, skip) gets a neutral head: the check's subject, not a verdict. */
function headText(r: CheckResult): string {
  const judged = r.status === 'pass' || r.status === 'fail' || r.status === 'warn';
  return judged ? terminalSafe(r.title) : `not judged: ${terminalSafe(r.message ?? r.title)}`;
}

function resultLines(ctx: Ctx, r: CheckResult, shownAs: ResultStatus | 'waived' = r.status): string[] {
  const { c, width } = ctx;
  const symbol = shownAs === 'waived' ? '◌' : SYMBOL[r.status];
  const head = `${paint(c, shownAs, symbol)} ${c.bold(r.id)}  ${headText(r)} ${c.dim(`[${r.seedRef} ${r.severity}]`)}`;
  const lines = wrapped(head, 0, 4, width);
  const detail = (text: string, painted: (t: string) => string = (t) => t) =>
    lines.push(...wrapped(painted(text), 4, 6, width));
  if (r.waiver) {
    const w = r.waiver;
    const text = `${w.state === 'expired' ? 'EXPIRED waiver' : 'waived'} by ${terminalSafe(w.owner)} until ${w.expires}${w.target ? ` for ${terminalSafe(w.target)}` : ''}: ${terminalSafe(w.reason)}`;
    detail(text, w.state === 'expired' ? c.yellow : c.cyan);
  }
  if (r.suppressed) detail(terminalSafe(suppressionText(r.suppressed)), c.cyan);
  for (const why of r.regression ?? []) detail(`regression: ${terminalSafe(why)}`, c.red);
  const judged = r.status === 'fail' || r.status === 'warn';
  if (!judged && r.status !== 'pass') return lines;
  if (r.message && judged) detail(terminalSafe(r.message), c.dim);
  if (judged || ctx.verbose) {
    const shown = r.evidence.filter((e) => ctx.verbose || (e.status !== 'pass' && e.status !== 'info'));
    const list = shown.length > 0 ? shown : r.evidence;
    const max = ctx.verbose ? 20 : 5;
    for (const e of list.slice(0, max))
      lines.push(
        ...wrapped(`${paint(c, (e.status as ResultStatus) ?? 'skip', '•')} ${evidenceText(e)}`, 4, 6, width),
      );
    if (list.length > max) detail(c.dim(`… ${list.length - max} more (--format json has them all)`));
    if (r.remediation && judged) {
      const applies = APPLIES_TEXT[r.remediation.applies];
      detail(
        `${c.cyan('fix:')} ${terminalSafe(r.remediation.summary)}${applies ? c.dim(` (${applies})`) : ''}`,
      );
    }
  }
  if (judged) detail(c.dim(`more: ${explainCommand(r.id)}`));
  return lines;
}

/** One block per source that could not be read: the cause, and the checks it kept from running. */
function sourceBlock(ctx: Ctx, s: SourceSummary, blocked: CheckResult[]): string[] {
  const { c, width } = ctx;
  const lines = wrapped(
    `${c.magenta('!')} ${c.bold(`${s.source} ${terminalSafe(s.target)}`)} could not be read: ${s.status}`,
    0,
    4,
    width,
  );
  if (s.message) lines.push(...wrapped(terminalSafe(s.message), 4, 6, width));
  if (blocked.length > 0)
    lines.push(
      ...wrapped(
        c.dim(
          `${blocked.length} check${blocked.length === 1 ? '' : 's'} not judged: ${blocked.map((r) => r.id).join(', ')}`,
        ),
        4,
        6,
        width,
      ),
    );
  return lines;
}

function heading(c: Paint, text: string): string {
  return c.bold(text);
}

/**
 * The terminal report, for scanning: what failed first, one line each with its evidence beneath,
 * then the sources that could not be read, warnings, waived results, the score per section and a
 * closing line on what to do next. Lines wrap to `width`.
 */
export function terminalReport(report: Report, opts: TerminalOptions): string {
  const c = paintOf(opts, 'terminalReport');
  if (opts.width && !opts.wrap) throw new Error('terminalReport: a width needs opts.wrap (loadWrap())');
  const width = opts.width && opts.wrap ? { columns: opts.width, wrap: opts.wrap } : undefined;
  const ctx: Ctx = { c, width, verbose: opts.verbose ?? false };
  const out: string[] = [];
  const push = (...lines: string[]) => out.push(...lines);
  const gap = () => {
    if (out.length > 0 && out.at(-1) !== '') out.push('');
  };

  const results = report.results;
  const waived = results.filter((r) => isWaivedResult(r) && (r.status === 'fail' || r.status === 'warn'));
  const live = (status: ResultStatus) => results.filter((r) => r.status === status && !waived.includes(r));
  const fails = live('fail');
  const warns = live('warn');
  const failedSources = report.sources.filter((s) => s.status !== 'ok');
  const blocked = new Set<CheckResult>();
  const blocks = failedSources.map((s) => {
    const list = blockedBy(results, s);
    for (const r of list) blocked.add(r);
    return { s, list };
  });
  const errors = live('error').filter((r) => !blocked.has(r));
  const nothingFound = report.sources.filter((s) => s.source !== 'baseline').length === 0;

  if (!opts.quiet) {
    push(...wrapped(c.bold(`strisk audit of ${terminalSafe(report.projectDir)}`), 0, 2, width));
    if (fails.length + warns.length + errors.length > 0)
      push(
        ...wrapped(
          c.dim(
            '[1.1 high] after a finding is its item in the performance checklist and its severity; ' +
              '`strisk explain ID` describes a check and how to fix it.',
          ),
          0,
          0,
          width,
        ),
      );
    gap();
  }
  if (nothingFound && !opts.quiet) {
    push(
      ...wrapped(
        c.yellow(
          `▲ nothing to audit was found in ${terminalSafe(report.projectDir)}: no compose file, Dockerfile, ` +
            'app or live source. Give the project directory, -f FILE, --dockerfile, --app DIR or a ' +
            'source URL (--postgres, --redis, …); `strisk init` writes a starter config.',
        ),
        0,
        2,
        width,
      ),
    );
    gap();
  }

  if (fails.length > 0) {
    push(heading(c, c.red(`Failed (${fails.length})`)));
    for (const r of fails) push(...resultLines(ctx, r));
    gap();
  }
  if (blocks.length > 0 || errors.length > 0) {
    push(heading(c, c.magenta('Not judged: could not be read or checked')));
    for (const { s, list } of blocks) push(...sourceBlock(ctx, s, list));
    for (const r of errors) push(...resultLines(ctx, r));
    gap();
  }
  if (!opts.quiet) {
    if (warns.length > 0) {
      push(heading(c, c.yellow(`Warnings (${warns.length})`)));
      for (const r of warns) push(...resultLines(ctx, r));
      gap();
    }
    if (waived.length > 0) {
      push(heading(c, c.cyan(`Waived (${waived.length}): not counted by the gate`)));
      for (const r of waived) push(...resultLines(ctx, r, 'waived'));
      gap();
    }
    const unconfigured = new Map<string, number>();
    const otherSkips: CheckResult[] = [];
    for (const r of results.filter((x) => x.status === 'skip')) {
      const source = notConfiguredSource(r);
      if (source) unconfigured.set(source, (unconfigured.get(source) ?? 0) + 1);
      else otherSkips.push(r);
    }
    if (otherSkips.length > 0 || (opts.verbose && unconfigured.size > 0)) {
      push(heading(c, c.dim(`Skipped (${otherSkips.length})`)));
      for (const r of otherSkips) push(...resultLines(ctx, r));
      gap();
    }
    if (unconfigured.size > 0) {
      const list = [...unconfigured]
        .map(([source, n]) => `${source === 'baseline' ? '--baseline' : source} (${n})`)
        .join(', ');
      push(...wrapped(c.dim(`○ not run, no source given: ${list}`), 0, 2, width));
      gap();
    }
    if (opts.verbose) {
      const passes = results.filter((r) => r.status === 'pass');
      if (passes.length > 0) {
        push(heading(c, c.green(`Passed (${passes.length})`)));
        for (const r of passes) push(...resultLines(ctx, r));
        gap();
      }
    }
    push(heading(c, 'Score per checklist section'));
    const nameWidth = Math.max(...report.sections.map((s) => s.section.length), 7);
    for (const s of report.sections) {
      const n = s.counts;
      const tally = [
        n.pass && c.green(`${n.pass} pass`),
        n.warn && c.yellow(`${n.warn} warn`),
        n.fail && c.red(`${n.fail} fail`),
        n.error && c.magenta(`${n.error} not judged`),
        n.skip && c.dim(`${n.skip} not run`),
      ]
        .filter(Boolean)
        .join(', ');
      push(
        ...wrapped(
          `${s.section.padEnd(nameWidth)}  ${sectionScoreText(s).padStart(6)}  ${tally}`,
          2,
          nameWidth + 12,
          width,
        ),
      );
    }
    const total = report.counts;
    const waivedText = waived.length > 0 ? `, ${waived.length} waived` : '';
    push(
      ...wrapped(
        `${'overall'.padEnd(nameWidth)}  ${(report.score === null ? 'n/a' : `${report.score}%`).padStart(6)}  ` +
          `${total.pass} pass, ${warns.length} warn, ${fails.length} fail${waivedText}, ${total.error} not judged, ${total.skip} not run`,
        2,
        nameWidth + 12,
        width,
      ),
    );
    const cmp = report.comparison;
    if (cmp) {
      gap();
      push(
        ...wrapped(
          `compared with the baseline of ${terminalSafe(cmp.baseline.startedAt)}: ${cmp.regressions.length} regression(s), ${cmp.improvements.length} improvement(s)`,
          0,
          2,
          width,
        ),
      );
      for (const x of cmp.improvements)
        push(...wrapped(c.green(`improved: ${terminalSafe(x.text)}`), 2, 4, width));
    }
    gap();
  }
  for (const w of report.gate.warnings ?? []) push(...wrapped(c.yellow(`▲ ${terminalSafe(w)}`), 0, 2, width));
  const verdict = report.gate.passed ? c.green('gate passed') : c.red('gate failed');
  push(
    ...wrapped(
      `${verdict}${report.gate.reasons.length ? `: ${report.gate.reasons.map(shortReason).join('; ')}` : ''}`,
      0,
      2,
      width,
    ),
  );
  if (!opts.quiet)
    push(...wrapped(c.dim(nextStep(report, fails.length, warns.length, nothingFound)), 0, 2, width));
  return `${out.join('\n')}\n`;
}

/** A gate reason without the list of ids the report has just shown: `14 failed (listed above)`. */
function shortReason(reason: string): string {
  return terminalSafe(
    reason.replace(/^(\d+ (?:failed|warned)(?: at or above \w+ severity)?): .*$/, '$1 (listed above)'),
  );
}

/** The closing line: what to do next, from the verdict. */
function nextStep(report: Report, fails: number, warns: number, nothingFound: boolean): string {
  const g = report.gate;
  if (nothingFound) return 'Next: point strisk at the project (see above) and run it again.';
  if (g.exitCode === 3)
    return 'Next: make the sources above readable (address, credentials, grants) and run again, or pass --allow-incomplete to gate on what was read.';
  if (!g.passed && fails > 0)
    return `Next: fix the ${fails} failed check${fails === 1 ? '' : 's'} above, most severe first (\`strisk explain ID\` shows how), or waive one in strisk.config.yaml with a reason, an owner and an expiry.`;
  if (!g.passed) return 'Next: see the gate reasons above.';
  if (warns > 0)
    return `Next: nothing blocks the release; ${warns} warning${warns === 1 ? ' is' : 's are'} worth a look.`;
  return 'Next: nothing to do; keep this report with the release.';
}
