import { z } from 'zod';
import { defineCheck, type Evidence } from '../../core/check.js';
import { serverSubject, servers, tableSubject, tables } from '../../facts/clickhouse.js';

const PRE_AGGREGATING = /^(Replicated)?(Summing|Aggregating)MergeTree$/;

export default defineCheck({
  id: 'clickhouse/pre-aggregation',
  title: 'Pre-aggregated tables and materialized views',
  failureTitle: 'No pre-aggregated table or materialized view',
  description:
    'The checklist (2.3) says "Pre-aggregate using SummingMergeTree when possible". Whether a rollup is possible ' +
    'depends on the queries, which no program can judge, so this check only lists the SummingMergeTree and ' +
    'AggregatingMergeTree tables and the materialized views; it warns when there is none, and never fails the gate. ' +
    'See https://clickhouse.com/docs/materialized-view/incremental-materialized-view',
  seedRef: '2.3',
  severity: 'info',
  kind: 'info',
  requires: ['clickhouse'],
  options: z.object({}),
  run(input) {
    const evidence: Evidence[] = [];
    const none: Evidence[] = [];
    for (const s of servers(input)) {
      const all = tables(s);
      none.push({
        subject: serverSubject(s),
        observed: 0,
        unit: 'pre-aggregating tables or views',
        status: 'warn',
        note: `${all.length} tables looked at`,
      });
      for (const t of all) {
        if (PRE_AGGREGATING.test(t.engine) || t.engine === 'MaterializedView') {
          evidence.push({
            subject: tableSubject(s, t),
            observed: t.engine,
            status: 'info',
            ...(t.sortingKey ? { note: `ORDER BY (${t.sortingKey})` } : {}),
          });
        }
      }
    }
    if (evidence.length > 0)
      return {
        status: 'pass',
        message: `${evidence.length} pre-aggregating tables or materialized views`,
        evidence,
      };
    return {
      status: 'warn',
      message: 'no SummingMergeTree / AggregatingMergeTree table and no materialized view',
      evidence: none,
      remediation: {
        summary:
          'Roll frequent aggregations up as rows arrive: a SummingMergeTree fed by a materialized view',
        change:
          'CREATE TABLE db.daily_totals (day Date, risk_id UInt32, amount Float64)\n  ENGINE = SummingMergeTree ORDER BY (day, risk_id);\n' +
          'CREATE MATERIALIZED VIEW db.daily_totals_mv TO db.daily_totals AS\n  SELECT toDate(timestamp) AS day, risk_id, amount FROM db.events;',
        applies: 'none',
      },
    };
  },
});
