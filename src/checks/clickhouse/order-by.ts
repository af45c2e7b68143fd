import { z } from 'zod';
import { defineCheck, type Evidence } from '../../core/check.js';
import {
  mergeTrees,
  passedSummary,
  plural,
  servers,
  sqlLines,
  sqlTable,
  tableOutcome,
  tableSubject,
} from '../../facts/clickhouse.js';

export default defineCheck({
  id: 'clickhouse/order-by',
  title: 'MergeTree tables have a sorting key',
  failureTitle: 'Some MergeTree tables have no sorting key (ORDER BY tuple())',
  description:
    'The checklist (2.1) asks to "Set ORDER BY on frequently filtered columns". The sorting key is also the ' +
    'sparse primary index: with `ORDER BY tuple()` every query reads every granule of the table, and data ' +
    'compresses worse. The check fails on MergeTree-family tables whose sorting key is empty. ' +
    'See https://clickhouse.com/docs/guides/best-practices/sparse-primary-indexes',
  seedRef: '2.1',
  severity: 'high',
  kind: 'auto',
  requires: ['clickhouse'],
  options: z.object({}),
  run(input) {
    const evidence: Evidence[] = [];
    const fixes: string[] = [];
    let judged = 0;
    for (const s of servers(input)) {
      let passed = 0;
      for (const t of mergeTrees(s)) {
        judged++;
        if (t.sortingKey.trim() && t.sortingKey.trim() !== 'tuple()') {
          passed++;
          continue;
        }
        evidence.push({
          subject: tableSubject(s, t),
          observed: 'ORDER BY tuple()',
          expected: 'ORDER BY (filtered columns)',
          status: 'fail',
        });
        const name = sqlTable(t.database, t.name);
        const fresh = sqlTable(t.database, `${t.name}_sorted`);
        fixes.push(
          `CREATE TABLE ${fresh} AS ${name} ENGINE = ${t.engine} ORDER BY (/* the columns queries filter on, low cardinality first */);`,
          `INSERT INTO ${fresh} SELECT * FROM ${name};`,
          `RENAME TABLE ${name} TO ${sqlTable(t.database, `${t.name}_old`)}, ${fresh} TO ${name};`,
        );
      }
      evidence.push(...passedSummary(s, passed, 'have a sorting key'));
    }
    return tableOutcome(judged, evidence, {
      skip: 'no MergeTree tables to judge',
      pass: 'every MergeTree table has a sorting key',
      fail: (failed) => `${plural(failed, 'table')} without a sorting key`,
      remediation: {
        summary:
          'Recreate the tables with ORDER BY on the columns queries filter on (the sorting key cannot be replaced in place)',
        change: sqlLines(fixes, 30),
        applies: 'none',
      },
    });
  },
});
