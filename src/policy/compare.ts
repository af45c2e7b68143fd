import { z } from 'zod';
import type { Metric, ResultStatus } from '../core/check.js';
import type { Change } from '../core/report.js';

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

/** Every regression and improvement between two runs. */
export function compareRuns(
  before: readonly Compared[],
  after: readonly Compared[],
  tolerances: Tolerances = {},
): { regressions: Change[]; improvements: Change[] } {
  const old = new Map(before.map((r) => [r.id, r]));
  const regressions: Change[] = [];
  const improvements: Change[] = [];
  for (const r of after) {
    if (r.kind === 'info') continue;
    const b = old.get(r.id);
    const status = compareStatus(b, r);
    if (status) (status.worse ? regressions : improvements).push(status.change);
    if (judged(r.status) && b) {
      const m = compareMetrics(r.id, b.metrics, r.metrics, tolerances);
      regressions.push(...m.worse);
      improvements.push(...m.better);
    }
  }
  return { regressions, improvements };
}
