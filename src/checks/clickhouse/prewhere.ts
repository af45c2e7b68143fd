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
  id: 'clickhouse/prewhere',
  title: 'WHERE conditions move to PREWHERE automatically',
  failureTitle: 'optimize_move_to_prewhere is off',
  description:
    'The checklist (2.2) says "Use PREWHERE for early filtering (30-40% speedup)". On MergeTree tables the ' +
    'setting `optimize_move_to_prewhere` (on by default) already moves selective WHERE conditions to PREWHERE, ' +
    'so writing PREWHERE by hand is not required: the check passes when the setting is 1 and fails when it is 0. ' +
    "The value is that of the audit user's profile. " +
    'See https://clickhouse.com/docs/optimize/prewhere',
  seedRef: '2.2',
  severity: 'low',
  kind: 'auto',
  requires: ['clickhouse'],
  options: z.object({}),
  run(input) {
    const evidence: Evidence[] = [];
    const statuses: OutcomeStatus[] = [];
    for (const s of servers(input)) {
      const v = setting(s, 'optimize_move_to_prewhere');
      const status: OutcomeStatus = !v ? 'skip' : v.value === '1' || v.value === 'true' ? 'pass' : 'fail';
      statuses.push(status);
      evidence.push({
        subject: serverSubject(s),
        observed: v?.value ?? null,
        expected: '1',
        status: evidenceStatus(status),
        note: v ? SETTINGS_NOTE : 'the server has no optimize_move_to_prewhere setting',
      });
    }
    const status = worst(statuses);
    return {
      status,
      message: {
        pass: 'optimize_move_to_prewhere is on',
        fail: 'optimize_move_to_prewhere is off',
        warn: '',
        skip: 'the setting is not reported',
      }[status],
      evidence,
      ...(status === 'fail'
        ? {
            remediation: {
              summary: 'Turn optimize_move_to_prewhere back on in the profile the application uses',
              change:
                "<!-- users.xml, <profiles><default> (or the application's profile) -->\n<optimize_move_to_prewhere>1</optimize_move_to_prewhere>",
              applies: 'reload' as const,
            },
          }
        : {}),
    };
  },
});
