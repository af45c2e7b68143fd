import { z } from 'zod';
import type { Evidence } from '../../core/check.js';
import { defineCheck } from '../../core/check.js';
import { combine, forbidden, hoursSince, type Judgement, settingOrigin } from '../../facts/postgres.js';

export default defineCheck({
  id: 'postgres/wal-archiving',
  title: 'WAL is archived',
  failureTitle: 'WAL archiving is off or failing',
  description:
    'Point-in-time recovery (the checklist’s "full backup plus 7 days of WAL") needs every WAL ' +
    'segment archived. strisk requires `archive_mode` on, an `archive_command` or (PostgreSQL 15+) ' +
    '`archive_library`, and no archiver failure more recent than the last success in ' +
    '`pg_stat_archiver`. https://www.postgresql.org/docs/current/continuous-archiving.html',
  seedRef: '6.1',
  severity: 'critical',
  kind: 'auto',
  requires: ['postgres'],
  options: z.object({
    /** Failures older than this, followed by no success, are still failures; recent ones after a success warn. */
    recentFailureHours: z.number().positive().default(24),
  }),
  run(input, options) {
    const judgements = input.source('postgres').map((t): Judgement => {
      const denied = forbidden(t, 'settings');
      if (denied) return denied;
      const data = t.data!;
      const mode = String(data.settings.archive_mode?.value ?? 'unknown');
      const command = String(data.settings.archive_command?.value ?? '');
      const library = String(data.settings.archive_library?.value ?? '');
      const hasCommand = (command !== '' && command !== '(disabled)') || library !== '';
      const a = data.archiver;
      const lastFail = a?.lastFailedTime ?? null;
      const lastOk = a?.lastArchivedTime ?? null;
      const failing =
        a !== null && a.failedCount > 0 && lastFail !== null && (lastOk === null || lastFail > lastOk);
      const recentFail =
        !failing &&
        lastFail !== null &&
        (hoursSince(lastFail, input.collectedAt) ?? Infinity) < options.recentFailureHours;
      const evidence: Evidence[] = [
        {
          subject: `${t.target} archive_mode`,
          observed: mode,
          expected: 'on (or always)',
          status: mode === 'on' || mode === 'always' ? 'pass' : 'fail',
          note: `source: ${settingOrigin(data, 'archive_mode')}`,
        },
        {
          subject: `${t.target} archive_command`,
          observed: library ? `archive_library ${library}` : command,
          expected: 'a command or library',
          status: hasCommand ? 'pass' : 'fail',
        },
      ];
      if (a) {
        evidence.push({
          subject: `${t.target} pg_stat_archiver`,
          observed: `${a.archivedCount} archived, ${a.failedCount} failed`,
          expected: 'no failure after the last success',
          status: failing ? 'fail' : recentFail ? 'warn' : 'pass',
          note: `last archived ${a.lastArchivedWal ?? 'none'} at ${lastOk ?? 'never'}; last failed ${a.lastFailedWal ?? 'none'} at ${lastFail ?? 'never'}`,
        });
      }
      const off = !(mode === 'on' || mode === 'always');
      const status = off || !hasCommand || failing ? 'fail' : recentFail ? 'warn' : 'pass';
      const why = off
        ? 'archive_mode is off'
        : !hasCommand
          ? 'no archive_command'
          : failing
            ? `archive_command is failing (${a?.failedCount} failures, last ${a?.lastFailedWal})`
            : recentFail
              ? 'archiving recovered from a recent failure'
              : 'archiving works';
      return {
        status,
        message: `${t.target}: ${why}${data.server.inRecovery ? ' (a standby: archive_mode = on archives only on the primary)' : ''}`,
        evidence,
        remediation: off
          ? {
              summary: 'Turn WAL archiving on',
              change:
                "ALTER SYSTEM SET archive_mode = on;\nALTER SYSTEM SET archive_command = 'test ! -f /archive/%f && cp %p /archive/%f';",
              applies: 'restart',
            }
          : {
              summary: 'Fix the archive command (see the server log for its error)',
              change:
                "ALTER SYSTEM SET archive_command = '<a command that copies %p to the archive as %f>';\nSELECT pg_reload_conf();",
              applies: 'reload',
            },
      };
    });
    return combine(judgements, 'no PostgreSQL target was read');
  },
});
