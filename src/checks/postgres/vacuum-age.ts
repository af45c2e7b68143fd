import { z } from 'zod';
import type { Evidence } from '../../core/check.js';
import { defineCheck } from '../../core/check.js';
import { combine, hoursSince, type Judgement, settingOrigin } from '../../facts/postgres.js';

export default defineCheck({
  id: 'postgres/vacuum-age',
  title: 'Autovacuum keeps up with dead tuples',
  failureTitle: 'Dead tuples are left unvacuumed',
  description:
    'Dead row versions bloat tables and slow scans until VACUUM reclaims them. The checklist asks ' +
    'for "regular VACUUM every 6 hours", but autovacuum runs on thresholds (dead tuples above ' +
    'autovacuum_vacuum_threshold + scale_factor × rows), not on a timer. So strisk requires autovacuum ' +
    '(and track_counts) on, and fails large tables with a high dead-tuple ratio whose last (auto)vacuum ' +
    'is older than the checklist’s 6 hours. ' +
    'https://www.postgresql.org/docs/current/routine-vacuuming.html#AUTOVACUUM',
  seedRef: '4.1',
  severity: 'high',
  kind: 'auto',
  requires: ['postgres'],
  options: z.object({
    minRows: z.number().int().nonnegative().default(10_000),
    /** dead / (live + dead) above this is a high ratio. */
    maxDeadRatio: z.number().min(0).max(1).default(0.1),
    maxHoursSinceVacuum: z.number().positive().default(6),
    maxListed: z.number().int().positive().default(20),
  }),
  run(input, options) {
    const judgements = input.source('postgres').map((t): Judgement => {
      const data = t.data!;
      const evidence: Evidence[] = [];
      let failed = false;
      for (const name of ['autovacuum', 'track_counts']) {
        const on = data.settings[name]?.value === true;
        failed ||= !on;
        evidence.push({
          subject: `${t.target} ${name}`,
          observed: data.settings[name]?.setting ?? null,
          expected: 'on',
          status: on ? 'pass' : 'fail',
          note: `source: ${settingOrigin(data, name)}`,
        });
      }
      const stale = data.tables
        .map((x) => {
          const ratio = x.deadTuples / Math.max(1, x.liveTuples + x.deadTuples);
          const last =
            [x.lastVacuum, x.lastAutovacuum]
              .filter((v): v is string => v !== null)
              .sort()
              .at(-1) ?? null;
          return { x, ratio, last, hours: hoursSince(last, input.collectedAt) };
        })
        .filter((s) => s.x.liveTuples + s.x.deadTuples >= options.minRows && s.ratio > options.maxDeadRatio)
        .filter((s) => s.hours === null || s.hours > options.maxHoursSinceVacuum)
        .sort((a, b) => b.x.deadTuples - a.x.deadTuples);
      failed ||= stale.length > 0;
      for (const s of stale.slice(0, options.maxListed)) {
        evidence.push({
          subject: `${t.target} ${s.x.schema}.${s.x.name}`,
          observed: Math.round(s.ratio * 1000) / 10,
          expected: `<= ${options.maxDeadRatio * 100}, or vacuumed within ${options.maxHoursSinceVacuum} h`,
          unit: '% dead tuples',
          status: 'fail',
          note: `${s.x.deadTuples} dead of ${s.x.liveTuples + s.x.deadTuples}; last vacuum ${s.last ?? 'never'}${s.hours === null ? '' : ` (${s.hours.toFixed(1)} h ago)`}`,
        });
      }
      const autovacOff =
        data.settings.autovacuum?.value !== true || data.settings.track_counts?.value !== true;
      const first = stale[0]?.x;
      return {
        status: failed ? 'fail' : 'pass',
        message: `${t.target}: ${autovacOff ? 'autovacuum is off' : 'autovacuum is on'}; ${stale.length} large table(s) with unvacuumed dead tuples`,
        evidence,
        remediation: autovacOff
          ? {
              summary: 'Turn autovacuum on',
              change:
                'ALTER SYSTEM SET autovacuum = on;\nALTER SYSTEM SET track_counts = on;\nSELECT pg_reload_conf();',
              applies: 'reload',
            }
          : {
              summary: 'Vacuum now and let autovacuum start earlier on this table',
              change: `VACUUM (ANALYZE) "${first?.schema}"."${first?.name}";\nALTER TABLE "${first?.schema}"."${first?.name}" SET (autovacuum_vacuum_scale_factor = 0.05);`,
              applies: 'none',
            },
      };
    });
    return combine(judgements, 'no PostgreSQL target was read');
  },
});
