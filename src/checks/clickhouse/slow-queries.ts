import { z } from 'zod';
import { defineCheck, type Evidence, type OutcomeStatus } from '../../core/check.js';
import {
  countOver,
  QUERY_LOG_OFF,
  queryLog,
  queryText,
  serverSubject,
  servers,
  worst,
} from '../../facts/clickhouse.js';

export default defineCheck({
  id: 'clickhouse/slow-queries',
  title: 'The query log is on and no query is slow',
  failureTitle: 'The query log is off',
  description:
    'The checklist (5.3) asks to "Enable ClickHouse query log for slow queries (> 500ms)". The check fails when ' +
    'the server keeps no query log (`log_queries` is off by default on old servers, and then system.query_log ' +
    'does not even exist), and otherwise counts the finished queries slower than `slowMs` in the window and lists ' +
    'the worst; it warns when there are more than `maxSlowQueries`. Counts come from a histogram with edges at ' +
    '10, 50, 100, 200, 500 ms, 1, 2, 5, 10 and 30 s: another `slowMs` counts from the nearest edge below. ' +
    'See https://clickhouse.com/docs/operations/settings/settings#log_queries',
  seedRef: '5.3',
  // A monitoring item of the checklist, scored with the other ClickHouse checks.
  section: 'ClickHouse',
  severity: 'medium',
  kind: 'auto',
  requires: ['clickhouse'],
  options: z.object({
    slowMs: z.number().positive().default(500),
    maxSlowQueries: z.number().int().min(0).default(0),
  }),
  run(input, options) {
    const evidence: Evidence[] = [];
    const statuses: OutcomeStatus[] = [];
    for (const s of servers(input)) {
      const q = queryLog(s);
      if (!q) {
        statuses.push('fail');
        const logQueries = s.data.settings?.log_queries?.value;
        evidence.push({
          subject: serverSubject(s),
          observed: 'no system.query_log',
          expected: 'query log on',
          status: 'fail',
          note: `${QUERY_LOG_OFF}${logQueries ? `; log_queries = ${logQueries} for the audit user` : ''}`,
        });
        continue;
      }
      const { count, overMs } = countOver(q, options.slowMs);
      const status: OutcomeStatus = count > options.maxSlowQueries ? 'warn' : 'pass';
      statuses.push(status);
      evidence.push({
        subject: serverSubject(s),
        observed: count,
        expected: `≤ ${options.maxSlowQueries}`,
        unit: `queries over ${overMs} ms`,
        status,
        note: `${q.queries} queries in the last ${q.windowHours} h`,
      });
      for (const g of q.groups
        .filter((g) => g.maxMs > overMs)
        .sort((a, b) => b.maxMs - a.maxMs)
        .slice(0, 10)) {
        evidence.push({
          subject: serverSubject(s),
          observed: g.maxMs,
          unit: 'ms (slowest)',
          status: 'info',
          note: `${g.count}× ${queryText(g.sample)}`,
        });
      }
    }
    const status = worst(statuses);
    return {
      status,
      message: {
        pass: `query log on; no query over ${options.slowMs} ms`,
        warn: `queries over ${options.slowMs} ms in the query log`,
        fail: 'the query log is off',
        skip: '',
      }[status],
      evidence,
      ...(status === 'fail'
        ? {
            remediation: {
              summary: 'Turn the query log on',
              change:
                '<!-- users.xml, the profiles -->\n<log_queries>1</log_queries>\n<!-- config.xml -->\n<query_log><database>system</database><table>query_log</table><flush_interval_milliseconds>7500</flush_interval_milliseconds></query_log>',
              applies: 'reload' as const,
            },
          }
        : status === 'warn'
          ? {
              remediation: {
                summary:
                  'Look at the slowest query groups listed (EXPLAIN indexes = 1 shows what the key prunes)',
                change: 'EXPLAIN indexes = 1 SELECT ...;',
                applies: 'none' as const,
              },
            }
          : {}),
    };
  },
});
