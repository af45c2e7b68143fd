import { z } from 'zod';
import { defineCheck, type Evidence, type Metric } from '../../core/check.js';
import {
  columnsOf,
  formatBytes,
  mergeTrees,
  need,
  passedSummary,
  plural,
  serverSubject,
  servers,
  tableOutcome,
  tableSubject,
} from '../../facts/clickhouse.js';

export default defineCheck({
  id: 'clickhouse/row-size',
  title: 'Average row size is under 1 MB',
  failureTitle: 'Some tables have rows of 1 MB or more',
  description:
    'The checklist (2.1) says "Keep row size < 1MB". ClickHouse reads whole granules (8,192 rows by default): ' +
    'megabyte rows make each granule gigabytes and every query that touches the column slow and memory-hungry. ' +
    'The average is the uncompressed bytes of active parts over their rows (`system.parts`); only ' +
    'MergeTree-family tables report parts. It also reports each server’s data size (bytes on disk of the ' +
    'active parts of the audited tables) as a measured value for `--baseline` comparisons. ' +
    'See https://clickhouse.com/docs/operations/system-tables/parts',
  seedRef: '2.1',
  severity: 'medium',
  kind: 'auto',
  requires: ['clickhouse'],
  options: z.object({
    maxRowBytes: z
      .number()
      .positive()
      .default(1024 * 1024),
  }),
  run(input, options) {
    const evidence: Evidence[] = [];
    const metrics: Metric[] = [];
    let judged = 0;
    for (const s of servers(input)) {
      need(s, 'parts');
      let passed = 0;
      // The data size, for `--baseline` comparisons (report/before-after): growth is worse.
      metrics.push({
        name: 'data size',
        value: mergeTrees(s).reduce((sum, t) => sum + (t.parts?.bytesOnDisk ?? 0), 0),
        unit: 'bytes',
        better: 'lower',
        subject: serverSubject(s),
      });
      for (const t of mergeTrees(s)) {
        if (!t.parts || t.parts.rows === 0) continue;
        judged++;
        const avg = Math.round(t.parts.uncompressedBytes / t.parts.rows);
        if (avg < options.maxRowBytes) {
          passed++;
          continue;
        }
        const widest = [...(columnsOf(t) ?? [])].sort((a, b) => b.bytes - a.bytes)[0];
        evidence.push({
          subject: tableSubject(s, t),
          observed: avg,
          expected: `< ${formatBytes(options.maxRowBytes)}`,
          unit: 'bytes',
          status: 'fail',
          note: `${t.parts.rows} rows, ${formatBytes(t.parts.uncompressedBytes)} uncompressed${widest ? `; widest column ${widest.name} (${formatBytes(widest.bytes)})` : ''}`,
        });
      }
      evidence.push(
        ...passedSummary(s, passed, `have rows under ${formatBytes(options.maxRowBytes)} on average`),
      );
    }
    const outcome = tableOutcome(judged, evidence, {
      skip: 'no MergeTree table with rows',
      pass: `average row size under ${formatBytes(options.maxRowBytes)} everywhere`,
      fail: (failed) => `${plural(failed, 'table')} with rows of ${formatBytes(options.maxRowBytes)} or more`,
      remediation: {
        summary:
          'Keep large payloads out of the row: store blobs in object storage and keep a key, or split wide columns into their own table',
        change:
          '-- e.g. keep a reference instead of the blob:\n-- ALTER TABLE db.t ADD COLUMN blob_url String; then stop writing the blob column and drop it',
        applies: 'none',
      },
    });
    return metrics.length > 0 ? { ...outcome, metrics } : outcome;
  },
});
