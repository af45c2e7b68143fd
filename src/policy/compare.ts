import { z } from 'zod';
import type { Metric, ResultStatus } from '../core/check.js';
import type { Change, FindingCounts } from '../core/report.js';
import { type EvidenceLike, type Finding, findingsOf } from './findings.js';

/** Per check id (and `default`): a relative tolerance (0.1 = 10%), or relative and absolute ones. */
export const ToleranceSchema = z.record(
  z.string(),
  z.union([
    z.number().min(0),
    z.strictObject({ relative: z.number().min(0).optional(), absolute: z.number().min(0).optional() }),
  ]),
);
export type Tolerances = z.infer<typeof ToleranceSchema>;
export const DEFAULT_TOLERANCE = 0.1;

/** What a comparison needs of one result, from a report or from a baseline's summary. */
export interface Compared {
  id: string;
  status: ResultStatus;
  kind?: string;
  metrics?: Metric[];
  /** Absent in a baseline that kept only a summary per check: then it is compared per check. */
  evidence?: (EvidenceLike & { suppressed?: unknown })[];
}

const RANK: Partial<Record<ResultStatus, number>> = { pass: 0, warn: 1, fail: 2 };
const judged = (s: ResultStatus | undefined) => s !== undefined && RANK[s] !== undefined;

function toleranceOf(id: string, t: Tolerances): { relative: number; absolute: number } {
  const v = t[id] ?? t.default ?? DEFAULT_TOLERANCE;
  return typeof v === 'number'
    ? { relative: v, absolute: 0 }
    : { relative: v.relative ?? DEFAULT_TOLERANCE, absolute: v.absolute ?? 0 };
}

const metricKey = (m: Metric) => `${m.subject ?? ''}\u0000${m.name}`;
const round = (n: number) => Math.round(n * 1000) / 1000;

/**
 * Measured values that moved the wrong way beyond the check's tolerance (both the relative and
 * the absolute one, when given), and those that moved the right way beyond it.
 */
export function compareMetrics(
  id: string,
  before: readonly Metric[] = [],
  after: readonly Metric[] = [],
  tolerances: Tolerances = {},
): { worse: Change[]; better: Change[] } {
  const tol = toleranceOf(id, tolerances);
  const old = new Map(before.map((m) => [metricKey(m), m]));
  const worse: Change[] = [];
  const better: Change[] = [];
  for (const m of after) {
    const b = old.get(metricKey(m));
    if (!b || !Number.isFinite(b.value) || !Number.isFinite(m.value)) continue;
    const change = m.value - b.value;
    const relative =
      b.value === 0 ? (change === 0 ? 0 : Number.POSITIVE_INFINITY) : change / Math.abs(b.value);
    if (Math.abs(relative) <= tol.relative || Math.abs(change) <= tol.absolute) continue;
    const gotWorse = m.better === 'lower' ? change > 0 : change < 0;
    const pct = Number.isFinite(relative) ? `${relative > 0 ? '+' : ''}${round(relative * 100)}%` : 'from 0';
    const what = `${m.subject ? `${m.subject} ` : ''}${m.name}`;
    const text = `${what} ${b.value} → ${m.value} ${m.unit} (${pct}, tolerance ${round(tol.relative * 100)}%)`;
    (gotWorse ? worse : better).push({
      id,
      kind: 'metric',
      metric: {
        name: m.name,
        subject: m.subject,
        unit: m.unit,
        from: b.value,
        to: m.value,
        change: round(change),
      },
      text,
    });
  }
  return { worse, better };
}

/**
 * Status changes, ordered pass < warn < fail. An unknown never hides a regression: a check judged in
 * the baseline that is now `error` or `skip` is a regression (we can no longer tell it did not get
 * worse), and a check the baseline did not judge (absent, skip or error) is held to `pass`, so a
 * new failure there is a regression too. `info` checks never gate and are left out.
 */
export function compareStatus(
  before: Compared | undefined,
  after: Compared,
): { change: Change; worse: boolean } | undefined {
  const from = before?.status;
  const to = after.status;
  const base = { id: after.id, kind: 'status' as const, from: from ?? ('absent' as const), to };
  if (!judged(to)) {
    if (!judged(from)) return undefined;
    return {
      change: { ...base, text: `${after.id}: ${from} → ${to} (no longer judged: an unknown is not a pass)` },
      worse: true,
    };
  }
  const was = judged(from) ? RANK[from!]! : 0;
  const now = RANK[to]!;
  if (now > was) {
    const note = judged(from) ? '' : ` (not judged in the baseline: ${from ?? 'absent'})`;
    return { change: { ...base, text: `${after.id}: ${from ?? 'absent'} → ${to}${note}` }, worse: true };
  }
  if (now < was) return { change: { ...base, text: `${after.id}: ${from} → ${to}` }, worse: false };
  return undefined;
}

const statusText = (f: Finding, e: EvidenceLike | undefined) => {
  if (!e) return f.status;
  const observed =
    e.observed === undefined || e.observed === null
      ? ''
      : `, observed ${String(e.observed)}${e.unit ? ` ${e.unit}` : ''}`;
  return `${f.status}${observed}${e.expected ? `, expected ${e.expected}` : ''}`;
};

/**
 * Finding by finding, between two judged results whose evidence both runs kept: a finding that
 * appeared (new), one that went away (fixed), one whose status moved (warn < fail), and metrics
 * of a finding's subject that moved. A finding now suppressed inline is left out (neither new nor
 * fixed). Returns undefined when the baseline kept no evidence (an older summary).
 */
export function compareFindings(
  before: Compared,
  after: Compared,
): { regressions: Change[]; improvements: Change[]; counts: FindingCounts } | undefined {
  if (!before.evidence || !after.evidence || !judged(before.status) || !judged(after.status))
    return undefined;
  const old = new Map(findingsOf(before).map((f) => [f.fingerprint, f]));
  const now = findingsOf(after);
  const counts: FindingCounts = { new: 0, fixed: 0, worse: 0, better: 0, unchanged: 0 };
  const regressions: Change[] = [];
  const improvements: Change[] = [];
  const evidenceOf = (r: Compared, f: Finding) =>
    f.evidence === undefined ? undefined : r.evidence?.[f.evidence];
  const change = (f: Finding, kind: NonNullable<Change['finding']>['change'], text: string): Change => ({
    id: after.id,
    kind: 'finding',
    finding: { fingerprint: f.fingerprint, subject: f.subject, change: kind },
    text: `${f.evidence === undefined ? after.id : `${after.id} ${f.subject}`}: ${text}`,
  });
  const seen = new Set<string>();
  for (const f of now) {
    seen.add(f.fingerprint);
    const e = evidenceOf(after, f);
    if (e?.suppressed) continue;
    const b = old.get(f.fingerprint);
    if (!b) {
      counts.new++;
      regressions.push(change(f, 'new', `new finding (${statusText(f, e)})`));
    } else if (RANK[f.status]! > RANK[b.status]!) {
      counts.worse++;
      regressions.push(change(f, 'worse', `${b.status} → ${statusText(f, e)}`));
    } else if (RANK[f.status]! < RANK[b.status]!) {
      counts.better++;
      improvements.push(change(f, 'better', `${b.status} → ${statusText(f, e)}`));
    } else counts.unchanged++;
  }
  for (const b of old.values()) {
    if (seen.has(b.fingerprint)) continue;
    counts.fixed++;
    improvements.push(change(b, 'fixed', `fixed (was ${statusText(b, evidenceOf(before, b))})`));
  }
  return { regressions, improvements, counts };
}

/**
 * Every regression and improvement between two runs: per finding where both runs kept their
 * evidence (the status change of the check is then told by its findings), else per check.
 */
export function compareRuns(
  before: readonly Compared[],
  after: readonly Compared[],
  tolerances: Tolerances = {},
): { regressions: Change[]; improvements: Change[]; findings?: FindingCounts } {
  const old = new Map(before.map((r) => [r.id, r]));
  const regressions: Change[] = [];
  const improvements: Change[] = [];
  let findings: FindingCounts | undefined;
  for (const r of after) {
    if (r.kind === 'info') continue;
    const b = old.get(r.id);
    const status = compareStatus(b, r);
    const perFinding = b ? compareFindings(b, r) : undefined;
    if (perFinding) {
      findings ??= { new: 0, fixed: 0, worse: 0, better: 0, unchanged: 0 };
      for (const k of Object.keys(findings) as (keyof FindingCounts)[]) findings[k] += perFinding.counts[k];
      regressions.push(...perFinding.regressions);
      improvements.push(...perFinding.improvements);
    }
    const told = perFinding && perFinding.regressions.length + perFinding.improvements.length > 0;
    if (status && !told) (status.worse ? regressions : improvements).push(status.change);
    if (judged(r.status) && b) {
      const m = compareMetrics(r.id, b.metrics, r.metrics, tolerances);
      const flagged = r.evidence ? findingsOf(r) : [];
      const tag = (c: Change, kind: 'worse value' | 'better value'): Change => {
        const f = flagged.find((x) => x.subject === c.metric?.subject);
        return f ? { ...c, finding: { fingerprint: f.fingerprint, subject: f.subject, change: kind } } : c;
      };
      regressions.push(...m.worse.map((c) => tag(c, 'worse value')));
      improvements.push(...m.better.map((c) => tag(c, 'better value')));
    }
  }
  return { regressions, improvements, ...(findings ? { findings } : {}) };
}
