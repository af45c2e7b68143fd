import { z } from 'zod';
import { defineCheck, type Evidence, type Metric } from '../../core/check.js';
import { httpTargets } from '../../facts/http.js';

export default defineCheck({
  id: 'http/error-rate',
  title: 'The error rate under load is below the target',
  failureTitle: 'Too many errors under load',
  description:
    "The checklist (5.1) targets an error rate below 0.1%. During the probe's bounded load every " +
    'response of 4xx/5xx, connection error and timeout counts as an error; the evidence splits them by kind. ' +
    'With few requests the rate is coarse (one error in 500 is 0.2%): the evidence gives the count. ' +
    'See https://sre.google/sre-book/monitoring-distributed-systems/#xref_monitoring_golden-signals',
  seedRef: '5.1',
  severity: 'high',
  kind: 'auto',
  requires: ['http'],
  options: z.object({ maxPercent: z.number().min(0).default(0.1) }),
  run(input, options) {
    const evidence: Evidence[] = [];
    const metrics: Metric[] = [];
    for (const { target, data } of httpTargets(input)) {
      const l = data.load;
      if (!l || l.requests === 0) continue;
      const pct = Math.round((l.errors / l.requests) * 100 * 1000) / 1000;
      const k = l.errorsByKind;
      metrics.push({
        name: 'error rate',
        value: pct,
        unit: '%',
        better: 'lower',
        subject: `${target}${l.path}`,
      });
      evidence.push({
        subject: `${target}${l.path}`,
        observed: pct,
        expected: `< ${options.maxPercent}`,
        unit: '%',
        status: pct < options.maxPercent ? 'pass' : 'fail',
        note: `${l.errors} of ${l.requests}: 5xx ${k.status5xx}, 4xx ${k.status4xx}, network ${k.network}, timeout ${k.timeout}${l.firstError ? `; first: ${l.firstError}` : ''}`,
      });
    }
    if (evidence.length === 0)
      return { status: 'skip', message: 'no request completed under load', evidence };
    const status = evidence.some((e) => e.status === 'fail') ? 'fail' : 'pass';
    return {
      status,
      metrics,
      message: evidence.map((e) => `${e.observed}% errors`).join(', '),
      evidence,
      ...(status === 'fail'
        ? {
            remediation: {
              summary: 'Find the failing requests in the server logs',
              change: '# the evidence gives the first error and the split by kind',
              applies: 'none' as const,
            },
          }
        : {}),
    };
  },
});
