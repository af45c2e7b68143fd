import { z } from 'zod';
import { defineCheck, type Evidence, type OutcomeStatus } from '../../core/check.js';
import {
  evidenceStatus,
  SETTINGS_NOTE,
  serverSubject,
  servers,
  setting,
  worst,
} from '../../facts/clickhouse.js';

export default defineCheck({
  id: 'clickhouse/readonly-replicas',
  title: 'Read replicas run read-only',
  failureTitle: 'Read replicas accept writes',
  description:
    'The checklist (2.4) says "Enable readonly mode for read-heavy replicas". Targets marked `role: replica` in ' +
    'the config must run with `readonly` ≥ 1 (1 forbids writes and setting changes, 2 forbids writes but lets ' +
    'clients tune settings, the usual choice for applications). `readonly` is a profile setting: audit each replica ' +
    'with the user the application reads with. Without a target marked as a replica the check skips. ' +
    'See https://clickhouse.com/docs/operations/settings/permissions-for-queries#readonly',
  seedRef: '2.4',
  severity: 'medium',
  kind: 'auto',
  requires: ['clickhouse'],
  options: z.object({}),
  run(input) {
    const evidence: Evidence[] = [];
    const statuses: OutcomeStatus[] = [];
    for (const s of servers(input).filter((s) => s.data.role === 'replica')) {
      const v = setting(s, 'readonly');
      const n = v ? Number(v.value) : Number.NaN;
      const status: OutcomeStatus = Number.isNaN(n) ? 'skip' : n >= 1 ? 'pass' : 'fail';
      statuses.push(status);
      evidence.push({
        subject: serverSubject(s),
        observed: v?.value ?? null,
        expected: '1 or 2',
        status: evidenceStatus(status),
        note: SETTINGS_NOTE,
      });
    }
    if (statuses.length === 0)
      return { status: 'skip', message: 'no target is marked `role: replica`', evidence };
    const status = worst(statuses);
    return {
      status,
      message: {
        pass: 'every replica is read-only',
        fail: 'some replicas accept writes',
        warn: '',
        skip: 'readonly not reported',
      }[status],
      evidence,
      ...(status === 'fail'
        ? {
            remediation: {
              summary: "Give the replicas' users a read-only profile",
              change:
                '<!-- users.xml on each replica -->\n<profiles><readers><readonly>2</readonly></readers></profiles>\n<!-- and <profile>readers</profile> for the application user -->',
              applies: 'reload' as const,
            },
          }
        : {}),
    };
  },
});
