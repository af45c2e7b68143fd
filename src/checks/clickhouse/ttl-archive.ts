import { z } from 'zod';
import { defineCheck, type Evidence, type OutcomeStatus } from '../../core/check.js';
import {
  mergeTrees,
  partitionTimeColumns,
  passedSummary,
  serverSubject,
  servers,
  sqlIdent,
  sqlLines,
  sqlTable,
  tableSubject,
  unsupported,
  worst,
} from '../../facts/clickhouse.js';

const UNIT_DAYS: Record<string, number> = {
  second: 1 / 86_400,
  minute: 1 / 1440,
  hour: 1 / 24,
  day: 1,
  week: 7,
  month: 30,
  quarter: 90,
  year: 365,
};

/** The shortest interval of a TTL clause in days (`ts + toIntervalDay(90)`, `INTERVAL 3 MONTH`); null when none is readable. */
export function ttlDays(ttl: string): number | null {
  const days: number[] = [];
  for (const m of ttl.matchAll(
    /toInterval(Second|Minute|Hour|Day|Week|Month|Quarter|Year)\(\s*(\d+)\s*\)/gi,
  )) {
    days.push(Number(m[2]) * UNIT_DAYS[m[1]!.toLowerCase()]!);
  }
  for (const m of ttl.matchAll(/INTERVAL\s+(\d+)\s+(SECOND|MINUTE|HOUR|DAY|WEEK|MONTH|QUARTER|YEAR)/gi)) {
    days.push(Number(m[1]) * UNIT_DAYS[m[2]!.toLowerCase()]!);
  }
  return days.length > 0 ? Math.min(...days) : null;
}

export default defineCheck({
  id: 'clickhouse/ttl-archive',
  title: 'Time-partitioned tables archive or expire old data',
  failureTitle: 'Time-partitioned tables keep old data forever',
  description:
    'The checklist (2.3) says "Archive old data: move to separate table after 90 days". ClickHouse does this with ' +
    'a table TTL that deletes rows or moves parts to another volume (`TTL ts + INTERVAL 90 DAY TO VOLUME ...`). ' +
    'Time-partitioned MergeTree tables fail without a TTL and warn when it keeps data longer than `maxDays` ' +
    '(months count as 30 days). Table TTL exists since 19.6: older servers make the check skip. ' +
    'See https://clickhouse.com/docs/guides/developer/ttl',
  seedRef: '2.3',
  severity: 'medium',
  kind: 'auto',
  requires: ['clickhouse'],
  options: z.object({ maxDays: z.number().positive().default(90) }),
  run(input, options) {
    const evidence: Evidence[] = [];
    const statuses: OutcomeStatus[] = [];
    const fixes: string[] = [];
    for (const s of servers(input)) {
      if (!s.data.capabilities.ttl) {
        statuses.push('skip');
        evidence.push(unsupported(s, 'the server has no table TTL (it came in 19.6)'));
        continue;
      }
      let passed = 0;
      let judged = 0;
      for (const t of mergeTrees(s, true)) {
        const time = partitionTimeColumns(t) ?? [];
        if (time.length === 0) continue;
        judged++;
        const days = t.ttl ? ttlDays(t.ttl) : null;
        const status: OutcomeStatus = !t.ttl
          ? 'fail'
          : days === null || days > options.maxDays
            ? 'warn'
            : 'pass';
        statuses.push(status);
        if (status === 'pass') {
          passed++;
          continue;
        }
        evidence.push({
          subject: tableSubject(s, t),
          observed: t.ttl ? `TTL ${t.ttl}` : 'no TTL',
          expected: `TTL ≤ ${options.maxDays} days (DELETE or TO VOLUME / TO DISK)`,
          status,
          ...(t.ttl && days === null
            ? { note: 'the TTL interval could not be read' }
            : days !== null
              ? { note: `${Math.round(days)} days` }
              : {}),
        });
        fixes.push(
          `ALTER TABLE ${sqlTable(t.database, t.name)} MODIFY TTL ${sqlIdent(time[0]!.name)} + INTERVAL ${options.maxDays} DAY DELETE;  -- or TO VOLUME 'archive'`,
        );
      }
      if (judged === 0) {
        statuses.push('skip');
        evidence.push({
          subject: serverSubject(s),
          status: 'info',
          note: 'no time-partitioned MergeTree table',
        });
      }
      evidence.push(...passedSummary(s, passed, `expire or move data within ${options.maxDays} days`));
    }
    const status = worst(statuses);
    return {
      status,
      message: {
        pass: `time-partitioned tables expire or move data within ${options.maxDays} days`,
        fail: 'time-partitioned tables without a TTL',
        warn: `TTLs longer than ${options.maxDays} days`,
        skip: 'no table TTL to judge',
      }[status],
      evidence,
      ...(status === 'fail' || status === 'warn'
        ? {
            remediation: {
              summary: 'Add a table TTL that deletes or moves old data',
              change: sqlLines(fixes, 30),
              applies: 'none' as const,
            },
          }
        : {}),
    };
  },
});
