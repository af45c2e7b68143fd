import { z } from 'zod';
import { defineCheck, type Evidence } from '../../core/check.js';
import {
  isMergeTree,
  isView,
  passedSummary,
  plural,
  servers,
  sqlLines,
  sqlTable,
  tableOutcome,
  tableSubject,
  tables,
} from '../../facts/clickhouse.js';

export default defineCheck({
  id: 'clickhouse/table-engine',
  title: 'User tables use a MergeTree-family engine',
  failureTitle: 'Some tables use Log or Memory engines',
  description:
    'The checklist (2.1) asks for "MergeTree family engines (preferred: ReplacingMergeTree)". Log, TinyLog, ' +
    'StripeLog and Memory engines have no primary index, no partitions, no parallel reads of parts and (Memory) ' +
    'no durability. The checklist is wrong to prefer ReplacingMergeTree in general: it deduplicates only at merge ' +
    'time and is meant for upserts, so any `*MergeTree` passes. Views and dictionaries are not judged; other ' +
    'engines (Distributed, Kafka, Buffer, Null, ...) are listed without a verdict. ' +
    'See https://clickhouse.com/docs/engines/table-engines/mergetree-family/mergetree',
  seedRef: '2.1',
  severity: 'high',
  kind: 'auto',
  requires: ['clickhouse'],
  options: z.object({
    failingEngines: z.array(z.string()).default(['Log', 'TinyLog', 'StripeLog', 'Memory']),
  }),
  run(input, options) {
    const evidence: Evidence[] = [];
    const fixes: string[] = [];
    let judged = 0;
    for (const s of servers(input)) {
      let passed = 0;
      for (const t of tables(s).filter((t) => !isView(t))) {
        if (isMergeTree(t)) {
          passed++;
          judged++;
        } else if (options.failingEngines.includes(t.engine)) {
          judged++;
          evidence.push({
            subject: tableSubject(s, t),
            observed: t.engine,
            expected: '*MergeTree',
            status: 'fail',
          });
          const name = sqlTable(t.database, t.name);
          const fresh = sqlTable(t.database, `${t.name}_mt`);
          fixes.push(
            `CREATE TABLE ${fresh} AS ${name} ENGINE = MergeTree ORDER BY (/* the columns queries filter on */);`,
            `INSERT INTO ${fresh} SELECT * FROM ${name};`,
            `RENAME TABLE ${name} TO ${sqlTable(t.database, `${t.name}_old`)}, ${fresh} TO ${name};`,
          );
        } else {
          evidence.push({
            subject: tableSubject(s, t),
            observed: t.engine,
            status: 'info',
            note: 'engine not judged',
          });
        }
      }
      evidence.push(...passedSummary(s, passed, 'use a MergeTree-family engine'));
    }
    return tableOutcome(judged, evidence, {
      skip: 'no user tables to judge',
      pass: 'every user table uses a MergeTree-family engine',
      fail: (failed) => `${plural(failed, 'table')} use Log or Memory engines`,
      remediation: {
        summary: 'Move the data into MergeTree tables with a sorting key',
        change: sqlLines(fixes, 30),
        applies: 'none',
      },
    });
  },
});
