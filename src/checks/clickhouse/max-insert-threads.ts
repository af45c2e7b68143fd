import { z } from 'zod';
import { defineCheck, type Evidence, type OutcomeStatus } from '../../core/check.js';
import {
  evidenceStatus,
  SETTINGS_NOTE,
  serverSubject,
  servers,
  setting,
  unsupported,
  worst,
} from '../../facts/clickhouse.js';

export default defineCheck({
  id: 'clickhouse/max-insert-threads',
  title: 'max_insert_threads matches the cores',
  failureTitle: 'max_insert_threads does not match the cores',
  description:
    'The checklist (2.4) asks for "max_insert_threads: CPU count". It only parallelises `INSERT ... SELECT` ' +
    '(0 or 1 means one thread), and it does not exist before ClickHouse 20.x: there the check skips, saying so. ' +
    'The check fails on 0 or 1 with several cores and warns on any other value than the cores. Cores come from ' +
    'the server (CGroupMaxCPU, NumberOfLogicalCores, else the default of max_threads, which is the physical ' +
    "cores), else the target's `cpus` or machine.cpus in the config. " +
    'See https://clickhouse.com/docs/operations/settings/settings#max_insert_threads',
  seedRef: '2.4',
  severity: 'low',
  kind: 'auto',
  requires: ['clickhouse'],
  options: z.object({}),
  run(input) {
    const evidence: Evidence[] = [];
    const statuses: OutcomeStatus[] = [];
    let cores = 0;
    for (const s of servers(input)) {
      const v = setting(s, 'max_insert_threads');
      const c = s.data.host.cores ?? input.machine.cpus ?? null;
      const from = s.data.host.cores
        ? s.data.host.coresFrom
        : input.machine.cpus
          ? 'machine.cpus in the config'
          : null;
      if (!v) {
        statuses.push('skip');
        evidence.push(unsupported(s, 'the server has no max_insert_threads setting (it came in 20.x)'));
        continue;
      }
      const n = Number(v.value);
      const status: OutcomeStatus =
        c === null ? 'skip' : n <= 1 && c > 1 ? 'fail' : n !== c ? 'warn' : 'pass';
      statuses.push(status);
      if (c) cores = Math.max(cores, c);
      evidence.push({
        subject: serverSubject(s),
        observed: n,
        expected: c === null ? 'the number of cores (unknown)' : String(c),
        unit: 'threads',
        status: evidenceStatus(status),
        note: `${SETTINGS_NOTE}${from ? `; cores from ${from}` : '; cores unknown: set `cpus` on the target or machine.cpus'}`,
      });
    }
    const status = worst(statuses);
    return {
      status,
      message: {
        pass: 'max_insert_threads matches the cores',
        fail: 'INSERT ... SELECT runs on one thread',
        warn: 'max_insert_threads differs from the cores',
        skip: 'max_insert_threads cannot be judged on this server',
      }[status],
      evidence,
      ...(status === 'fail' || status === 'warn'
        ? {
            remediation: {
              summary: 'Set max_insert_threads to the cores in the profile that runs INSERT ... SELECT',
              change: `<!-- users.xml -->\n<max_insert_threads>${cores || 'CORES'}</max_insert_threads>`,
              applies: 'reload' as const,
            },
          }
        : {}),
    };
  },
});
