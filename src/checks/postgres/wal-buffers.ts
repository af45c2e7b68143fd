import { z } from 'zod';
import { formatBytes } from '../helpers.js';
import { combine, type Judgement, pgSize, settingOrigin } from '../../collectors/postgres/judge.js';
import { defineCheck } from '../../core/check.js';

export default defineCheck({
  id: 'postgres/wal-buffers',
  title: 'wal_buffers is 16MB',
  failureTitle: 'wal_buffers is below 16MB',
  description:
    'WAL records are buffered in shared memory before they are written; a small buffer makes busy ' +
    'commits wait on WAL writes. The checklist sets `wal_buffers = 16MB`. The default (-1) resolves ' +
    'to 1/32 of shared_buffers capped at one WAL segment (16MB), so the default reaches 16MB only ' +
    'with shared_buffers of 512MB or more; strisk judges the resolved value the server reports. ' +
    'https://www.postgresql.org/docs/current/runtime-config-wal.html#GUC-WAL-BUFFERS',
  seedRef: '4.1',
  severity: 'medium',
  kind: 'auto',
  requires: ['postgres'],
  options: z.object({
    minBytes: z
      .number()
      .int()
      .positive()
      .default(16 * 1024 * 1024),
  }),
  run(input, options) {
    const judgements = input.source('postgres').map((t): Judgement => {
      const s = t.data!.settings.wal_buffers;
      const bytes = typeof s?.value === 'number' ? s.value : null;
      const evidence = {
        subject: `${t.target} wal_buffers`,
        observed: bytes === null ? null : formatBytes(bytes),
        expected: `>= ${formatBytes(options.minBytes)}`,
        note: `source: ${settingOrigin(t.data!, 'wal_buffers')}`,
      };
      if (bytes === null) {
        return { status: 'error', message: `${t.target}: wal_buffers not reported`, evidence: [evidence] };
      }
      const ok = bytes >= options.minBytes;
      return {
        status: ok ? 'pass' : 'fail',
        message: `${t.target}: wal_buffers is ${formatBytes(bytes)}`,
        evidence: [{ ...evidence, status: ok ? 'pass' : 'fail' }],
        remediation: {
          summary: `Set wal_buffers to ${formatBytes(options.minBytes)}`,
          change: `ALTER SYSTEM SET wal_buffers = '${pgSize(options.minBytes)}';  -- or wal_buffers = ${pgSize(options.minBytes)} in postgresql.conf`,
          applies: 'restart',
        },
      };
    });
    return combine(judgements, 'no PostgreSQL target was read');
  },
});
