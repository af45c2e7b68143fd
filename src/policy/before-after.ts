// Checklist 6.3, "compare before and after": the values the checks of this run measured, with
// the user's options, held against the baseline report's. A policy step over results: it runs no
// check itself.
import type { CheckOutcome, Evidence } from '../core/check.js';
import type { CheckResult } from '../core/report.js';
import type { Baseline } from './baseline.js';
import { compareMetrics, type Tolerances } from './compare.js';

export function compareWithBaseline(
  results: readonly Pick<CheckResult, 'id' | 'metrics'>[],
  baseline: Baseline,
  tolerance: Tolerances,
): CheckOutcome {
  const before = new Map(baseline.results.map((r) => [r.id, r.metrics ?? []]));
  const evidence: Evidence[] = [];
  let compared = 0;
  for (const r of results) {
    const now = r.metrics ?? [];
    if (now.length === 0) continue;
    const then = before.get(r.id) ?? [];
    compared += now.filter((m) => then.some((t) => t.name === m.name && t.subject === m.subject)).length;
    const { worse, better } = compareMetrics(r.id, then, now, tolerance);
    for (const c of worse)
      evidence.push({
        subject: r.id,
        observed: c.metric!.to,
        expected: `≤ tolerance from ${c.metric!.from}`,
        unit: c.metric!.unit,
        status: 'fail',
        note: c.text,
      });
    for (const c of better)
      evidence.push({
        subject: r.id,
        observed: c.metric!.to,
        unit: c.metric!.unit,
        status: 'pass',
        note: c.text,
      });
  }
  const at = `baseline of ${baseline.startedAt}`;
  if (compared === 0)
    return {
      status: 'skip',
      skipReason: { kind: 'no-data', source: 'baseline' },
      message: `no measured value in common with the ${at}`,
      evidence,
    };
  const worse = evidence.filter((e) => e.status === 'fail').length;
  if (worse === 0)
    return {
      status: 'pass',
      message: `${compared} measured value(s) within tolerance of the ${at}`,
      evidence,
    };
  return {
    status: 'fail',
    message: `${worse} of ${compared} measured value(s) got worse than the ${at}`,
    evidence,
    remediation: {
      summary: 'Find what the deployment changed for the values listed (strisk compare OLD.json NEW.json)',
      applies: 'none',
    },
  };
}
