import { z } from 'zod';
import { defineCheck, type Evidence } from '../../core/check.js';
import {
  columnsOf,
  keyElements,
  mentions,
  mergeTrees,
  passedSummary,
  plural,
  servers,
  sqlIdent,
  sqlLines,
  sqlTable,
  tableOutcome,
  tableSubject,
} from '../../facts/clickhouse.js';

export default defineCheck({
  id: 'clickhouse/hot-columns',
  title: 'Hot columns lead the sorting key or carry a skipping index',
  failureTitle: 'Hot columns are outside the sorting key and have no skipping index',
  description:
    'The checklist (2.2) says "Index hot columns: risk_id, timestamp, status". ClickHouse has no B-tree ' +
    'indexes, so the checklist\'s wording does not apply as written: a column is "indexed" when it is among the ' +
    'first columns of the sorting key (the sparse primary index) or carries a data-skipping index. In every ' +
    'MergeTree table that has any of `hotColumns`, each must be one of the first `leadingKeyColumns` elements of ' +
    'the sorting key or appear in a skipping index. Servers that do not list skipping indices ' +
    '(no system.data_skipping_indices, before 20.x) are judged on the sorting key alone, and say so. ' +
    'See https://clickhouse.com/docs/optimize/skipping-indexes',
  seedRef: '2.2',
  severity: 'medium',
  kind: 'auto',
  requires: ['clickhouse'],
  options: z.object({
    hotColumns: z.array(z.string().min(1)).min(1).default(['risk_id', 'timestamp', 'status']),
    leadingKeyColumns: z.number().int().positive().default(3),
  }),
  run(input, options) {
    const evidence: Evidence[] = [];
    const fixes: string[] = [];
    let judged = 0;
    for (const s of servers(input)) {
      let passed = 0;
      for (const t of mergeTrees(s, true)) {
        const hot = options.hotColumns.filter((h) => columnsOf(t)?.some((c) => c.name === h));
        if (hot.length === 0) continue;
        judged++;
        const key = keyElements(t.sortingKey);
        const missing = hot.filter((h) => {
          const at = key.findIndex((e) => mentions(e, h));
          if (at >= 0 && at < options.leadingKeyColumns) return false;
          return !(t.skipIndices ?? []).some((i) => mentions(i.expr, h));
        });
        if (missing.length === 0) {
          passed++;
          continue;
        }
        evidence.push({
          subject: tableSubject(s, t),
          observed: `ORDER BY (${t.sortingKey})${t.skipIndices?.length ? `; indices on ${t.skipIndices.map((i) => i.expr).join(', ')}` : ''}`,
          expected: `${missing.join(', ')} in the first ${options.leadingKeyColumns} key columns or a skipping index`,
          status: 'fail',
          ...(t.skipIndices === null
            ? { note: 'the server does not list data-skipping indices: judged on the sorting key alone' }
            : {}),
        });
        for (const h of missing) {
          const col = columnsOf(t)?.find((c) => c.name === h);
          const type = col && /Date|Int|Float|Decimal/.test(col.type) ? 'minmax' : 'set(1000)';
          fixes.push(
            `ALTER TABLE ${sqlTable(t.database, t.name)} ADD INDEX ${sqlIdent(`${h}_idx`)} ${sqlIdent(h)} TYPE ${type} GRANULARITY 4;`,
            `ALTER TABLE ${sqlTable(t.database, t.name)} MATERIALIZE INDEX ${sqlIdent(`${h}_idx`)};`,
          );
        }
      }
      evidence.push(...passedSummary(s, passed, 'have their hot columns indexed'));
    }
    return tableOutcome(judged, evidence, {
      skip: `no MergeTree table has any of ${options.hotColumns.join(', ')}`,
      pass: 'hot columns lead the sorting key or carry a skipping index',
      fail: (failed) => `${plural(failed, 'table')} with hot columns neither in the key nor indexed`,
      remediation: {
        summary:
          'Add data-skipping indices on the hot columns (or put them first in the sorting key of a new table)',
        change: sqlLines(fixes, 30),
        applies: 'none',
      },
    });
  },
});
