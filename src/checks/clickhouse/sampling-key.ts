import { z } from 'zod';
import { defineCheck, type Evidence } from '../../core/check.js';
import {
  mergeTrees,
  need,
  passedSummary,
  plural,
  servers,
  tableOutcome,
  tableSubject,
} from '../../facts/clickhouse.js';

export default defineCheck({
  id: 'clickhouse/sampling-key',
  title: 'Large tables declare a sampling key',
  failureTitle: 'Some large tables have no sampling key',
  description:
    'The checklist (2.2) says "Sample large queries: SAMPLE 0.1 for testing". `SAMPLE` works only on tables ' +
    'created with `SAMPLE BY` (an expression of the primary key, usually a hash such as `intHash32(user_id)`); on ' +
    'others it is an error. The check fails on MergeTree tables of `minRows` rows or more without one. ' +
    'See https://clickhouse.com/docs/sql-reference/statements/select/sample',
  seedRef: '2.2',
  severity: 'low',
  kind: 'auto',
  requires: ['clickhouse'],
  options: z.object({ minRows: z.number().int().min(0).default(10_000_000) }),
  run(input, options) {
    const evidence: Evidence[] = [];
    let judged = 0;
    for (const s of servers(input)) {
      need(s, 'parts');
      let passed = 0;
      for (const t of mergeTrees(s)) {
        if ((t.parts?.rows ?? 0) < options.minRows) continue;
        judged++;
        if (t.samplingKey.trim()) {
          passed++;
          continue;
        }
        evidence.push({
          subject: tableSubject(s, t),
          observed: 'no SAMPLE BY',
          expected: 'SAMPLE BY <hash in the primary key>',
          status: 'fail',
          note: `${t.parts?.rows ?? 0} rows; ORDER BY (${t.sortingKey})`,
        });
      }
      evidence.push(...passedSummary(s, passed, 'declare SAMPLE BY'));
    }
    return tableOutcome(judged, evidence, {
      skip: `no MergeTree table with ${options.minRows} rows or more`,
      pass: 'every large table can be sampled',
      fail: (failed) => `${plural(failed, 'large table')} without SAMPLE BY`,
      remediation: {
        summary:
          'Declare a sampling key that is part of the primary key (a new table when the key lacks a hash)',
        change:
          '-- when the primary key already holds a suitable expression (22.x+):\nALTER TABLE db.t MODIFY SAMPLE BY intHash32(user_id);\n' +
          '-- else recreate: ... ORDER BY (intHash32(user_id), ...) SAMPLE BY intHash32(user_id)',
        applies: 'none',
      },
    });
  },
});
