import { z } from 'zod';
import { defineCheck, type Evidence, type OutcomeStatus } from '../../core/check.js';
import {
  columnsOf,
  formatBytes,
  mergeTrees,
  need,
  passedSummary,
  plural,
  serverSubject,
  servers,
  sqlIdent,
  sqlLines,
  sqlTable,
  tableSubject,
  unsupported,
  worst,
} from '../../facts/clickhouse.js';

export default defineCheck({
  id: 'clickhouse/column-codecs',
  title: 'Large columns carry a compression codec',
  failureTitle: 'Large columns rely on the default codec',
  description:
    'The checklist (2.3) says "Set compression codec: LZ4 for speed, ZSTD for ratio". Columns of ' +
    '`minColumnBytes` (uncompressed) or more pass when they declare a codec (`CODEC(ZSTD(1))`, `Delta`, ' +
    "`DoubleDelta`, `Gorilla`, `LZ4HC`, ...) or when the server's `<compression>` config gave their parts another " +
    'codec than the built-in LZ4 (`system.parts.default_compression_codec`). Codec metadata ' +
    '(`system.columns.compression_codec`) exists since 19.1: older servers make the check skip. ' +
    'See https://clickhouse.com/docs/sql-reference/statements/create/table#column_compression_codec',
  seedRef: '2.3',
  severity: 'low',
  kind: 'auto',
  requires: ['clickhouse'],
  options: z.object({
    minColumnBytes: z
      .number()
      .int()
      .min(0)
      .default(100 * 1024 * 1024),
  }),
  run(input, options) {
    const evidence: Evidence[] = [];
    const statuses: OutcomeStatus[] = [];
    const fixes: string[] = [];
    for (const s of servers(input)) {
      if (!s.data.capabilities.compressionCodec) {
        statuses.push('skip');
        evidence.push(
          unsupported(s, 'the server has no system.columns.compression_codec (codecs came in 19.1)'),
        );
        continue;
      }
      need(s, 'parts');
      let passed = 0;
      let judged = 0;
      let failed = 0;
      for (const t of mergeTrees(s, true)) {
        const serverCodec = (t.parts?.defaultCodecs ?? []).find((c) => c !== '' && !/^LZ4$/i.test(c));
        for (const c of (columnsOf(t) ?? []).filter((c) => c.bytes >= options.minColumnBytes)) {
          judged++;
          if (c.codec || serverCodec) {
            passed++;
            continue;
          }
          failed++;
          evidence.push({
            subject: `${tableSubject(s, t)}.${c.name}`,
            observed: 'default (LZ4)',
            expected: 'an explicit codec',
            status: 'fail',
            note: `${formatBytes(c.bytes)} uncompressed, ${formatBytes(c.compressedBytes)} on disk; ${c.type}`,
          });
          const codec = /DateTime|Date|Int/.test(c.type)
            ? 'Delta, ZSTD(1)'
            : /Float/.test(c.type)
              ? 'Gorilla, ZSTD(1)'
              : 'ZSTD(1)';
          fixes.push(
            `ALTER TABLE ${sqlTable(t.database, t.name)} MODIFY COLUMN ${sqlIdent(c.name)} ${c.type} CODEC(${codec});`,
          );
        }
      }
      statuses.push(judged === 0 ? 'skip' : failed > 0 ? 'fail' : 'pass');
      if (judged === 0)
        evidence.push({
          subject: serverSubject(s),
          status: 'info',
          note: `no column of ${formatBytes(options.minColumnBytes)} or more`,
        });
      evidence.push(
        ...passedSummary(s, passed, 'columns with a codec').map((e) => ({
          ...e,
          note: `${passed} large columns carry a codec`,
        })),
      );
    }
    const status = worst(statuses);
    const failed = evidence.filter((e) => e.status === 'fail').length;
    return {
      status,
      message: {
        pass: 'large columns carry a codec',
        fail: `${plural(failed, 'large column')} without a codec`,
        warn: '',
        skip: 'no codec metadata, or no large column',
      }[status],
      evidence,
      ...(status === 'fail'
        ? {
            remediation: {
              summary:
                'Declare codecs on the large columns (new parts use them; OPTIMIZE ... FINAL rewrites old ones)',
              change: sqlLines(fixes, 30),
              applies: 'none' as const,
            },
          }
        : {}),
    };
  },
});
