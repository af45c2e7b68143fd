import { z } from 'zod';
import { defineCheck, type Evidence, type OutcomeStatus } from '../../core/check.js';
import {
  mergeTrees,
  need,
  QUERY_LOG_OFF,
  queryLog,
  queryTables,
  queryText,
  serverSubject,
  servers,
  tableSubject,
  worst,
} from '../../facts/clickhouse.js';

export default defineCheck({
  id: 'clickhouse/full-scans',
  title: 'No query reads most of a large table',
  failureTitle: 'Queries read most of a large table (no key pruning)',
  description:
    'The checklist (2.2) says "Leverage PRIMARY KEY for partition pruning". A query whose conditions match ' +
    'neither the sorting key nor the partition key reads every granule. The check looks at the slowest query ' +
    'groups and those reading the most rows in the query log window, and lists those that read at least ' +
    '`minFraction` of the rows of a table of `minRows` rows or more. The tables a query read come from ' +
    '`query_log.tables` where the server logs them, else from the FROM/JOIN names of its text. Scans can be ' +
    'legitimate (exports, backfills), so findings warn. ' +
    'See https://clickhouse.com/docs/guides/best-practices/sparse-primary-indexes',
  seedRef: '2.2',
  severity: 'medium',
  kind: 'auto',
  requires: ['clickhouse'],
  options: z.object({
    minRows: z.number().int().min(0).default(1_000_000),
    minFraction: z.number().gt(0).max(1).default(0.9),
  }),
  run(input, options) {
    const evidence: Evidence[] = [];
    const statuses: OutcomeStatus[] = [];
    for (const s of servers(input)) {
      const q = queryLog(s);
      if (!q || q.queries === 0) {
        statuses.push('skip');
        evidence.push({
          subject: serverSubject(s),
          status: 'info',
          note: q ? `no query in the last ${q.windowHours} h` : QUERY_LOG_OFF,
        });
        continue;
      }
      need(s, 'parts');
      const known = mergeTrees(s);
      let found = 0;
      for (const g of q.groups) {
        for (const t of queryTables(known, g.tables, g.sample)) {
          const rows = t.parts?.rows ?? 0;
          if (rows < options.minRows || g.maxReadRows < rows * options.minFraction) continue;
          found++;
          evidence.push({
            subject: tableSubject(s, t),
            observed: g.maxReadRows,
            expected: `< ${Math.round(options.minFraction * 100)}% of ${rows} rows`,
            unit: 'rows read',
            status: 'warn',
            note: `${g.count}× ${queryText(g.sample)}`,
          });
        }
      }
      statuses.push(found > 0 ? 'warn' : 'pass');
      if (found === 0) {
        evidence.push({
          subject: serverSubject(s),
          observed: q.groups.length,
          unit: 'query groups examined',
          status: 'pass',
          note: `no query read ${Math.round(options.minFraction * 100)}% of a table of ${options.minRows}+ rows in the last ${q.windowHours} h`,
        });
      }
    }
    const status = worst(statuses);
    return {
      status,
      message: {
        pass: 'no full scan of a large table in the query log',
        warn: 'queries scan large tables in full',
        fail: '',
        skip: 'no query log to judge',
      }[status],
      evidence,
      ...(status === 'warn'
        ? {
            remediation: {
              summary:
                'Filter on the leading sorting-key or partition columns, or add a skipping index on the column the query filters on',
              change:
                'ALTER TABLE db.t ADD INDEX col_idx col TYPE set(1000) GRANULARITY 4;\nALTER TABLE db.t MATERIALIZE INDEX col_idx;',
              applies: 'none' as const,
            },
          }
        : {}),
    };
  },
});
