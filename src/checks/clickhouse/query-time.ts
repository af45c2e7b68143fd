import { z } from 'zod';
import { defineCheck, type Evidence, type Metric, type OutcomeStatus } from '../../core/check.js';
import { QUERY_LOG_OFF, queryLog, queryText, serverSubject, servers, worst } from '../../facts/clickhouse.js';

export default defineCheck({
  id: 'clickhouse/query-time',
  title: 'Mean query time is under 50 ms',
  failureTitle: 'Mean query time is 50 ms or more',
  description:
    'The checklist (5.1) targets "ClickHouse query time: < 50ms (average)". The mean is over every finished query ' +
    "of the query log window (`queryLogWindowHours` on the target, 24 h by default), strisk's own and those of " +
    'system tables left out; P95 and the slowest groups are shown beside it. It skips when the server keeps no ' +
    'query log or logged nothing in the window. ' +
    'See https://clickhouse.com/docs/operations/system-tables/query_log',
  seedRef: '5.1',
  // A monitoring item of the checklist, scored with the other ClickHouse checks.
  section: 'ClickHouse',
  severity: 'medium',
  kind: 'auto',
  requires: ['clickhouse'],
  options: z.object({ maxMeanMs: z.number().positive().default(50) }),
  run(input, options) {
    const evidence: Evidence[] = [];
    const metrics: Metric[] = [];
    const statuses: OutcomeStatus[] = [];
    for (const s of servers(input)) {
      const q = queryLog(s);
      if (!q || q.queries === 0 || q.meanMs === null) {
        statuses.push('skip');
        evidence.push({
          subject: serverSubject(s),
          status: 'info',
          note: q ? `no query in the last ${q.windowHours} h` : QUERY_LOG_OFF,
        });
        continue;
      }
      const status: OutcomeStatus = q.meanMs < options.maxMeanMs ? 'pass' : 'fail';
      metrics.push({
        name: 'mean query time',
        value: q.meanMs,
        unit: 'ms',
        better: 'lower',
        subject: serverSubject(s),
      });
      statuses.push(status);
      evidence.push({
        subject: serverSubject(s),
        observed: q.meanMs,
        expected: `< ${options.maxMeanMs}`,
        unit: 'ms',
        status,
        note: `${q.queries} queries in the last ${q.windowHours} h; P95 ${q.p95Ms === null ? '?' : Math.round(q.p95Ms)} ms, max ${q.maxMs ?? '?'} ms`,
      });
      if (status === 'fail') {
        for (const g of [...q.groups].sort((a, b) => b.meanMs * b.count - a.meanMs * a.count).slice(0, 5)) {
          evidence.push({
            subject: serverSubject(s),
            observed: g.meanMs,
            unit: 'ms mean',
            status: 'info',
            note: `${g.count}× ${queryText(g.sample)}`,
          });
        }
      }
    }
    const status = worst(statuses);
    return {
      status,
      metrics,
      message: {
        pass: `mean query time under ${options.maxMeanMs} ms`,
        fail: `mean query time ${options.maxMeanMs} ms or more`,
        warn: '',
        skip: 'no query log to judge',
      }[status],
      evidence,
      ...(status === 'fail'
        ? {
            remediation: {
              summary:
                'Start with the query groups that take the most total time (listed): key pruning, fewer columns, pre-aggregation',
              change: 'EXPLAIN indexes = 1 SELECT ...;  -- shows which parts and granules the key prunes',
              applies: 'none' as const,
            },
          }
        : {}),
    };
  },
});
