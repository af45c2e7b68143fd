import { z } from 'zod';
import { defineCheck, type Metric } from '../../core/check.js';
import { redactSqlLiterals } from '../../core/redact-sql.js';
import { combine, forbidden, type Judgement } from '../../facts/postgres.js';

export default defineCheck({
  id: 'postgres/query-time',
  title: 'PostgreSQL queries average under 50 ms',
  failureTitle: 'PostgreSQL queries average 50 ms or more',
  description:
    'The checklist’s target for database query time is a mean under 50 ms. strisk reads the ' +
    'calls-weighted mean of `pg_stat_statements` for the audited database (cumulative since the ' +
    'extension’s last reset, leaving out strisk’s own statements) and lists the slowest statements, ' +
    "their string literals shown as `'***'` (utility statements such as `ALTER ROLE … PASSWORD` are " +
    'kept verbatim by the extension). ' +
    'Without the extension it says so and skips. ' +
    'https://www.postgresql.org/docs/current/pgstatstatements.html',
  seedRef: '5.1',
  severity: 'medium',
  kind: 'auto',
  requires: ['postgres'],
  options: z.object({
    maxMeanMs: z.number().positive().default(50),
    maxListed: z.number().int().positive().default(5),
  }),
  run(input, options) {
    const metrics: Metric[] = [];
    const judgements = input.source('postgres').map((t): Judgement => {
      const denied = forbidden(t, 'statements');
      if (denied) return denied;
      const st = t.data!.statements;
      if (!st) {
        return {
          status: 'skip',
          message: `${t.target}: ${t.data!.statementsNote ?? 'pg_stat_statements is not available'}`,
          evidence: [
            { subject: t.target, observed: 'pg_stat_statements absent', note: t.data!.statementsNote },
          ],
          remediation: {
            summary: 'Load pg_stat_statements to measure query times',
            change:
              "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements';  -- restart, then:\nCREATE EXTENSION pg_stat_statements;",
            applies: 'restart',
          },
        };
      }
      if (st.meanMs === null) {
        return {
          status: 'skip',
          message: `${t.target}: pg_stat_statements has recorded no calls yet`,
          evidence: [],
        };
      }
      const ok = st.meanMs < options.maxMeanMs;
      metrics.push({
        name: 'mean query time',
        value: Math.round(st.meanMs * 100) / 100,
        unit: 'ms',
        better: 'lower',
        subject: t.target,
      });
      return {
        status: ok ? 'pass' : 'fail',
        message: `${t.target}: mean ${st.meanMs.toFixed(2)} ms over ${st.calls} calls`,
        evidence: [
          {
            subject: `${t.target} pg_stat_statements`,
            observed: Math.round(st.meanMs * 100) / 100,
            expected: `< ${options.maxMeanMs}`,
            unit: 'ms',
            status: ok ? 'pass' : 'fail',
            note: `${st.calls} calls of ${st.statements} statements; extension ${st.extensionVersion}${t.data!.statementsNote ? `; ${t.data!.statementsNote}` : ''}`,
          },
          ...st.slowest.slice(0, options.maxListed).map((q) => ({
            subject: `${t.target} query ${q.queryid ?? ''}`.trim(),
            observed: Math.round(q.meanMs * 100) / 100,
            unit: 'ms mean',
            status: 'info' as const,
            // Redacted at collection too; again here for facts recorded before that.
            note: `${q.calls} calls: ${redactSqlLiterals(q.query)}`,
          })),
        ],
        remediation: {
          summary: 'Speed up the slowest statements (EXPLAIN ANALYZE them; add indexes; cache results)',
          applies: 'none',
        },
      };
    });
    const outcome = combine(judgements, 'no PostgreSQL target was read');
    return metrics.length > 0 ? { ...outcome, metrics } : outcome;
  },
});
