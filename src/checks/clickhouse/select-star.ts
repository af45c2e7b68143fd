import { z } from 'zod';
import { defineCheck, type Evidence, type OutcomeStatus } from '../../core/check.js';
import { QUERY_LOG_OFF, queryLog, queryText, serverSubject, servers, worst } from '../../facts/clickhouse.js';

export default defineCheck({
  id: 'clickhouse/select-star',
  title: 'Few queries use SELECT *',
  failureTitle: 'Too many queries use SELECT *',
  description:
    'The checklist (2.2) says "Use column selection (avoid SELECT *)". ClickHouse stores each column apart: ' +
    '`SELECT *` reads and decompresses every column, however few the application uses. The check reads the ' +
    "query log over the window (`queryLogWindowHours` of the target, 24 h by default), leaving out strisk's own " +
    'queries and those of system tables, and fails when the share of SELECT queries using `*` is above ' +
    '`maxShare`. It skips when the server keeps no query log. ' +
    'See https://clickhouse.com/docs/operations/system-tables/query_log',
  seedRef: '2.2',
  severity: 'medium',
  kind: 'auto',
  requires: ['clickhouse'],
  options: z.object({ maxShare: z.number().min(0).max(1).default(0.05) }),
  run(input, options) {
    const evidence: Evidence[] = [];
    const statuses: OutcomeStatus[] = [];
    for (const s of servers(input)) {
      const q = queryLog(s);
      if (!q || q.selects === 0) {
        statuses.push('skip');
        evidence.push({
          subject: serverSubject(s),
          status: 'info',
          note: q ? `no SELECT in the last ${q.windowHours} h` : QUERY_LOG_OFF,
        });
        continue;
      }
      const share = q.selectStar / q.selects;
      const status = share > options.maxShare ? 'fail' : 'pass';
      statuses.push(status);
      evidence.push({
        subject: serverSubject(s),
        observed: Math.round(share * 1000) / 10,
        expected: `≤ ${options.maxShare * 100}`,
        unit: '% of SELECT queries',
        status,
        note: `${q.selectStar} of ${q.selects} SELECT queries in the last ${q.windowHours} h`,
      });
      for (const g of q.groups.filter((g) => g.selectStar).slice(0, 10)) {
        evidence.push({
          subject: serverSubject(s),
          observed: g.count,
          unit: 'queries',
          status: 'info',
          note: queryText(g.sample),
        });
      }
    }
    const status = worst(statuses);
    return {
      status,
      message: {
        pass: 'SELECT * is rare in the query log',
        fail: 'SELECT * is common in the query log',
        warn: 'SELECT * is common in the query log',
        skip: 'no query log to judge',
      }[status],
      evidence,
      ...(status === 'fail'
        ? {
            remediation: {
              summary: 'Name the columns the code uses in the queries listed',
              change:
                '-- instead of: SELECT * FROM db.events WHERE ...\nSELECT risk_id, timestamp, status FROM db.events WHERE ...',
              applies: 'redeploy' as const,
            },
          }
        : {}),
    };
  },
});
