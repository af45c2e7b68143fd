import { z } from 'zod';
import { defineCheck, type Evidence, type Metric } from '../../core/check.js';
import { httpTargets } from '../../facts/http.js';

export default defineCheck({
  id: 'http/latency',
  title: 'Latency percentiles are within the targets',
  failureTitle: 'Latency percentiles exceed the targets',
  description:
    'The checklist (5.1) targets P50 < 100 ms, P95 < 500 ms and P99 < 2 s (its targets table says P95 < ' +
    '200 ms: set `p95Ms` to 200 for that). The probe runs a short load bounded in time and requests ' +
    '(default 16 connections, 3 s, 3000 requests, keep-alive) against one endpoint and reads the percentiles ' +
    'from an HDR histogram of every request. A probe this short is a smoke test, not the 1000-user load test ' +
    '(`attest/load-test`). See https://hdrhistogram.github.io/HdrHistogram/ and https://www.uvicorn.org/deployment/',
  seedRef: '5.1',
  severity: 'medium',
  kind: 'auto',
  requires: ['http'],
  options: z.object({
    p50Ms: z.number().positive().default(100),
    p95Ms: z.number().positive().default(500),
    p99Ms: z.number().positive().default(2000),
  }),
  run(input, options) {
    const evidence: Evidence[] = [];
    const metrics: Metric[] = [];
    for (const { target, data } of httpTargets(input)) {
      const l = data.load;
      if (!l?.latencyMs) continue;
      const note = `${l.requests} requests on ${l.concurrency} connections in ${Math.round(l.elapsedMs)} ms (${l.throughputRps} req/s)`;
      for (const p of ['p50', 'p95', 'p99'] as const) {
        const limit = options[`${p}Ms`];
        metrics.push({
          name: p,
          value: l.latencyMs[p],
          unit: 'ms',
          better: 'lower',
          subject: `${target}${l.path}`,
        });
        evidence.push({
          subject: `${target}${l.path} ${p.toUpperCase()}`,
          observed: l.latencyMs[p],
          expected: `< ${limit}`,
          unit: 'ms',
          status: l.latencyMs[p] < limit ? 'pass' : 'fail',
          note,
        });
      }
    }
    if (evidence.length === 0)
      return { status: 'skip', message: 'no latency measured (the load did not run)', evidence };
    const status = evidence.some((e) => e.status === 'fail') ? 'fail' : 'pass';
    return {
      status,
      metrics,
      message: evidence.map((e) => `${e.subject.split(' ').at(-1)} ${e.observed} ms`).join(', '),
      evidence,
      ...(status === 'fail'
        ? {
            remediation: {
              summary: 'Find what the slow endpoint waits on (blocking calls, queries, pools)',
              change:
                '# profile one request: pyinstrument -m uvicorn app.main:app\n# see app/blocking-call-in-async, clickhouse/slow-queries, postgres/query-time',
              applies: 'none' as const,
            },
          }
        : {}),
    };
  },
});
