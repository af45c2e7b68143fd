import { z } from 'zod';
import { defineCheck, type Evidence } from '../../core/check.js';
import {
  mergeTrees,
  need,
  partitionTimeColumns,
  passedSummary,
  plural,
  servers,
  sqlLines,
  sqlTable,
  tableOutcome,
  tableSubject,
  timeColumns,
} from '../../facts/clickhouse.js';

export default defineCheck({
  id: 'clickhouse/partition-by-time',
  title: 'Large tables are partitioned by time',
  failureTitle: 'Some large tables are not partitioned by a time column',
  description:
    'The checklist (2.1) asks for "PARTITION BY with time-based columns". Partitioning by month or day of a ' +
    'Date/DateTime column lets queries over a time range skip whole partitions, and lets old data be dropped or ' +
    'moved a partition at a time (see clickhouse/ttl-archive). Too fine a partitioning (by hour, by id) makes too ' +
    'many parts, so the check only asks that the key be a function of a time column. Tables under `minRows` ' +
    'are exempt. See https://clickhouse.com/docs/engines/table-engines/mergetree-family/custom-partitioning-key',
  seedRef: '2.1',
  severity: 'medium',
  kind: 'auto',
  requires: ['clickhouse'],
  options: z.object({
    /** Tables with fewer rows are not judged. */
    minRows: z.number().int().min(0).default(10_000_000),
  }),
  run(input, options) {
    const evidence: Evidence[] = [];
    const fixes: string[] = [];
    let judged = 0;
    for (const s of servers(input)) {
      need(s, 'parts');
      let passed = 0;
      for (const t of mergeTrees(s, true)) {
        if ((t.parts?.rows ?? 0) < options.minRows) continue;
        judged++;
        const cols = partitionTimeColumns(t) ?? [];
        if (cols.length > 0) {
          passed++;
          continue;
        }
        const candidate = timeColumns(t)[0]?.name;
        evidence.push({
          subject: tableSubject(s, t),
          observed: t.partitionKey ? `PARTITION BY ${t.partitionKey}` : 'no partition key',
          expected: 'PARTITION BY toYYYYMM(<Date/DateTime column>)',
          status: 'fail',
          note: `${t.parts?.rows ?? 0} rows${candidate ? `; time column: ${candidate}` : '; no Date/DateTime column'}`,
        });
        const name = sqlTable(t.database, t.name);
        const fresh = sqlTable(t.database, `${t.name}_by_month`);
        fixes.push(
          `CREATE TABLE ${fresh} AS ${name} ENGINE = ${t.engine} PARTITION BY toYYYYMM(${candidate ?? '/* a Date or DateTime column */'}) ORDER BY (${t.sortingKey || '/* key */'});`,
          `INSERT INTO ${fresh} SELECT * FROM ${name};`,
          `RENAME TABLE ${name} TO ${sqlTable(t.database, `${t.name}_old`)}, ${fresh} TO ${name};`,
        );
      }
      evidence.push(...passedSummary(s, passed, 'are partitioned by a time column'));
    }
    return tableOutcome(judged, evidence, {
      skip: `no MergeTree table with ${options.minRows} rows or more`,
      pass: 'every large table is partitioned by a time column',
      fail: (failed) => `${plural(failed, 'large table')} not partitioned by time`,
      remediation: {
        summary: 'Recreate the tables partitioned by month (or day) of their time column',
        change: sqlLines(fixes, 30),
        applies: 'none',
      },
    });
  },
});
