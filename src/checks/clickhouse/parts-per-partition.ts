import { z } from 'zod';
import { defineCheck, type Evidence } from '../../core/check.js';
import {
  mergeTrees,
  need,
  passedSummary,
  plural,
  servers,
  sqlLines,
  sqlTable,
  tableOutcome,
  tableSubject,
} from '../../facts/clickhouse.js';

export default defineCheck({
  id: 'clickhouse/parts-per-partition',
  title: 'Partitions hold fewer than 300 active parts',
  failureTitle: 'Some partitions hold 300 active parts or more',
  description:
    'Beyond the checklist (2.1): every INSERT makes a part, and background merges fold them together. When ' +
    'inserts come in many small batches, parts pile up; reads slow down, and at `parts_to_throw_insert` (300 on ' +
    'older servers, 3,000 on current ones) inserts fail with "Too many parts". The check fails when the busiest ' +
    'partition of a table holds `maxParts` active parts or more. ' +
    'See https://clickhouse.com/docs/knowledgebase/exception-too-many-parts',
  seedRef: '2.1',
  severity: 'high',
  kind: 'auto',
  requires: ['clickhouse'],
  options: z.object({ maxParts: z.number().int().positive().default(300) }),
  run(input, options) {
    const evidence: Evidence[] = [];
    const fixes: string[] = [];
    let judged = 0;
    for (const s of servers(input)) {
      need(s, 'parts');
      let passed = 0;
      for (const t of mergeTrees(s)) {
        if (!t.parts || t.parts.active === 0) continue;
        judged++;
        if (t.parts.maxPerPartition < options.maxParts) {
          passed++;
          continue;
        }
        evidence.push({
          subject: tableSubject(s, t),
          observed: t.parts.maxPerPartition,
          expected: `< ${options.maxParts}`,
          unit: 'active parts in one partition',
          status: 'fail',
          note: `partition ${t.parts.worstPartition}; ${t.parts.active} active parts in ${t.parts.partitions} partitions`,
        });
        fixes.push(`SYSTEM START MERGES ${sqlTable(t.database, t.name)};  -- in case merges were stopped`);
      }
      evidence.push(...passedSummary(s, passed, `have fewer than ${options.maxParts} parts per partition`));
    }
    return tableOutcome(judged, evidence, {
      skip: 'no MergeTree table with active parts',
      pass: `every partition holds fewer than ${options.maxParts} active parts`,
      fail: (failed) =>
        `${plural(failed, 'table')} with ${options.maxParts} or more active parts in a partition`,
      remediation: {
        summary:
          'Insert in fewer, larger batches (thousands of rows, about once a second) or turn on async_insert; make sure merges run',
        change: sqlLines([
          ...fixes,
          '-- users.xml, the inserting profile: <async_insert>1</async_insert> (22.x+)',
        ]),
        applies: 'none',
      },
    });
  },
});
