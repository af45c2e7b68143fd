import { z } from 'zod';
import { formatBytes } from '../helpers.js';
import { combine, type Judgement } from '../../collectors/postgres/judge.js';
import { defineCheck, type Metric } from '../../core/check.js';

export default defineCheck({
  id: 'postgres/missing-index',
  title: 'Large tables are read through indexes',
  failureTitle: 'Large tables are read by sequential scans',
  description:
    'The checklist asks for indexes on the columns queries filter by. A large table whose reads are ' +
    'mostly sequential scans is missing one. Judged from `pg_stat_user_tables` (seq_scan against ' +
    'idx_scan; the counters are cumulative since the last stats reset). ' +
    'It also reports each database’s size (`pg_database_size`) as a measured value for `--baseline` comparisons. ' +
    'https://www.postgresql.org/docs/current/monitoring-stats.html#MONITORING-PG-STAT-ALL-TABLES-VIEW',
  seedRef: '4.1',
  severity: 'high',
  kind: 'auto',
  requires: ['postgres'],
  options: z.object({
    /** Tables with fewer live rows are small enough to scan. */
    minRows: z.number().int().nonnegative().default(10_000),
    minSeqScans: z.number().int().nonnegative().default(10),
    /** Flag when seq_scan / (seq_scan + idx_scan) is above this. */
    maxSeqScanShare: z.number().min(0).max(1).default(0.5),
    maxListed: z.number().int().positive().default(20),
  }),
  run(input, options) {
    const metrics: Metric[] = [];
    const judgements = input.source('postgres').map((t): Judgement => {
      const data = t.data!;
      // The database's size, for `--baseline` comparisons (report/before-after): growth is worse.
      metrics.push({
        name: 'database size',
        value: data.database.sizeBytes,
        unit: 'bytes',
        better: 'lower',
        subject: t.target,
      });
      const flagged = data.tables
        .filter((x) => x.liveTuples >= options.minRows && x.seqScan >= options.minSeqScans)
        .map((x) => ({ x, share: x.seqScan / (x.seqScan + (x.idxScan ?? 0)) }))
        .filter((f) => f.share > options.maxSeqScanShare)
        .sort((a, b) => b.x.totalBytes - a.x.totalBytes);
      const large = data.tables.filter((x) => x.liveTuples >= options.minRows).length;
      const truncated =
        data.tablesTotal > data.tables.length
          ? ` (the largest ${data.tables.length} of ${data.tablesTotal} tables read)`
          : '';
      if (flagged.length === 0) {
        return {
          status: 'pass',
          message: `${t.target}: ${large} large table(s), none read mostly by sequential scans${truncated}`,
          evidence: [
            {
              subject: t.target,
              observed: large,
              unit: 'large tables',
              status: 'pass',
              note: `large = at least ${options.minRows} rows${truncated}`,
            },
          ],
        };
      }
      const first = flagged[0]!.x;
      return {
        status: 'fail',
        message: `${t.target}: ${flagged.length} large table(s) read mostly by sequential scans${truncated}`,
        evidence: flagged.slice(0, options.maxListed).map(({ x, share }) => ({
          subject: `${t.target} ${x.schema}.${x.name}`,
          observed: Math.round(share * 1000) / 10,
          expected: `<= ${options.maxSeqScanShare * 100}`,
          unit: '% sequential scans',
          status: 'fail' as const,
          note: `seq_scan ${x.seqScan}, idx_scan ${x.idxScan ?? 'no index'}, ${x.liveTuples} rows, ${formatBytes(x.totalBytes)}`,
        })),
        remediation: {
          summary:
            'Index the columns these tables are filtered by (find them in pg_stat_statements or the slow query log)',
          change: `CREATE INDEX CONCURRENTLY ON "${first.schema}"."${first.name}" (<filtered column>);`,
          applies: 'none',
        },
      };
    });
    const outcome = combine(judgements, 'no PostgreSQL target was read');
    return metrics.length > 0 ? { ...outcome, metrics } : outcome;
  },
});
