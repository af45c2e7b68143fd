// @ts-check
import { defineCheck, formatBytes, z } from 'strisk/api';

const MiB = 1024 * 1024;

export default defineCheck({
  id: 'acme/work-mem',
  title: 'PostgreSQL work_mem is large enough for the analytics queries',
  failureTitle: 'PostgreSQL work_mem is below what the analytics queries need',
  description:
    "ACME's reporting queries sort and hash a few million rows each: below `minBytes` of work_mem " +
    '(default 64 MB) they spill to temporary files on disk and run several times slower. The ' +
    'built-in checks leave work_mem alone because the right size depends on the workload; this is ' +
    "ACME's. See https://www.postgresql.org/docs/current/runtime-config-resource.html#GUC-WORK-MEM",
  seedRef: 'DB-7',
  severity: 'medium',
  kind: 'auto',
  requires: ['postgres'],
  options: z.object({
    minBytes: z.number().int().positive().default(64 * MiB),
  }),
  run(input, options) {
    /** @type {import('strisk/api').Evidence[]} */
    const evidence = [];
    for (const target of input.source('postgres')) {
      const setting = target.data?.settings.work_mem;
      const value = typeof setting?.value === 'number' ? setting.value : null;
      evidence.push({
        subject: `postgres ${target.target}`,
        file: setting?.sourcefile ?? undefined,
        line: setting?.sourceline ?? undefined,
        observed: value === null ? null : formatBytes(value),
        expected: `≥ ${formatBytes(options.minBytes)}`,
        status: value === null ? 'info' : value >= options.minBytes ? 'pass' : 'fail',
        note: value === null ? 'work_mem was not read' : undefined,
      });
    }
    // An unread setting is an unknown, and an unknown is never a pass.
    if (evidence.some((e) => e.status === 'info'))
      return { status: 'error', message: 'work_mem could not be read', evidence };
    if (evidence.every((e) => e.status === 'pass')) return { status: 'pass', evidence };
    return {
      status: 'fail',
      message: `work_mem below ${formatBytes(options.minBytes)}`,
      evidence,
      remediation: {
        summary: 'Raise work_mem (for the analytics role only, if memory is short)',
        change: `ALTER SYSTEM SET work_mem = '${options.minBytes / MiB}MB';\nSELECT pg_reload_conf();\n-- or: ALTER ROLE analytics SET work_mem = '${options.minBytes / MiB}MB';`,
        applies: 'reload',
      },
    };
  },
});
