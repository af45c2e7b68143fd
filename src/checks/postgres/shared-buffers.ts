import { z } from 'zod';
import { formatBytes } from '../helpers.js';
import { combine, type Judgement, settingOrigin } from '../../collectors/postgres/judge.js';
import { defineCheck } from '../../core/check.js';
import { containerSizeFor } from '../container-size.js';

export default defineCheck({
  id: 'postgres/shared-buffers',
  title: 'shared_buffers is about 25% of RAM',
  failureTitle: 'shared_buffers is far from 25% of RAM',
  description:
    "PostgreSQL's own page cache. The checklist and the PostgreSQL docs recommend about 25% of the " +
    "machine's RAM; much less leaves the cache to the OS, much more starves it. PostgreSQL cannot see " +
    'the machine, so the RAM comes from `memory:` on the target, else the memory limit of the running ' +
    'postgres container when the docker source is given, else the machine size in the config; the ' +
    'evidence says which, and without any of them the check says it cannot judge. ' +
    'https://www.postgresql.org/docs/current/runtime-config-resource.html#GUC-SHARED-BUFFERS',
  seedRef: '4.1',
  severity: 'high',
  kind: 'auto',
  requires: ['postgres'],
  optional: ['docker'],
  options: z.object({
    ratio: z.number().positive().max(1).default(0.25),
    /** Pass within ratio ± tolerance, warn within ± warnTolerance, fail beyond. */
    tolerance: z.number().nonnegative().default(0.05),
    warnTolerance: z.number().nonnegative().default(0.1),
  }),
  run(input, options) {
    const judgements = input.source('postgres').map((t): Judgement => {
      const data = t.data!;
      const s = data.settings.shared_buffers;
      const bytes = typeof s?.value === 'number' ? s.value : null;
      const container = containerSizeFor(input, 'postgres');
      const ram =
        data.memory ??
        (container?.memoryBytes ? { bytes: container.memoryBytes, from: container.from } : null) ??
        (input.machine.memoryBytes
          ? { bytes: input.machine.memoryBytes, from: 'config: machine memory' }
          : null);
      if (bytes === null)
        return { status: 'error', message: `${t.target}: shared_buffers not reported`, evidence: [] };
      if (!ram) {
        return {
          status: 'skip',
          message: `${t.target}: cannot judge shared_buffers (${formatBytes(bytes)}) without the machine's RAM; set memory: on the target`,
          evidence: [
            {
              subject: `${t.target} shared_buffers`,
              observed: formatBytes(bytes),
              note: 'RAM unknown: PostgreSQL does not report it',
            },
          ],
        };
      }
      const share = bytes / ram.bytes;
      const off = Math.abs(share - options.ratio);
      const status = off <= options.tolerance ? 'pass' : off <= options.warnTolerance ? 'warn' : 'fail';
      const target = Math.round((ram.bytes * options.ratio) / 1024 ** 2);
      return {
        status,
        message: `${t.target}: shared_buffers ${formatBytes(bytes)} is ${(share * 100).toFixed(1)}% of ${formatBytes(ram.bytes)}`,
        evidence: [
          {
            subject: `${t.target} shared_buffers`,
            observed: Math.round(share * 1000) / 10,
            expected: `${(options.ratio - options.tolerance) * 100}–${(options.ratio + options.tolerance) * 100}`,
            unit: '% of RAM',
            status: status === 'pass' ? 'pass' : status,
            note: `${formatBytes(bytes)} of ${formatBytes(ram.bytes)} RAM (${ram.from}); setting from ${settingOrigin(data, 'shared_buffers')}`,
          },
        ],
        remediation: {
          summary: `Set shared_buffers to ${options.ratio * 100}% of RAM`,
          change: `ALTER SYSTEM SET shared_buffers = '${target}MB';`,
          applies: 'restart',
        },
      };
    });
    return combine(judgements, 'no PostgreSQL target was read');
  },
});
