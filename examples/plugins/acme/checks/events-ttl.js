// @ts-check
import { clickhouse, defineCheck, z } from 'strisk/api';

/** `events_*` → a RegExp over the table name; `*` is any run of characters. */
const globRe = (/** @type {string} */ glob) =>
  new RegExp(`^${glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);

export default defineCheck({
  id: 'acme/events-ttl',
  title: 'Every ClickHouse events table expires its rows',
  failureTitle: 'An events table keeps its rows for ever',
  description:
    'ACME keeps raw events for 90 days (data-retention policy DR-4): every MergeTree table whose ' +
    'name matches `tables` (default `events_*`) needs a table TTL, or it grows until the disk is ' +
    'full and keeps personal data past its retention. Views are not judged. ' +
    'See https://clickhouse.com/docs/en/guides/developer/ttl',
  seedRef: 'DR-4',
  severity: 'high',
  kind: 'auto',
  requires: ['clickhouse'],
  options: z.object({
    /** Glob over the table name (not the database). */
    tables: z.string().min(1).default('events_*'),
  }),
  run(input, options) {
    const match = globRe(options.tables);
    /** @type {import('strisk/api').Evidence[]} */
    const evidence = [];
    for (const server of clickhouse.servers(input)) {
      for (const table of clickhouse.mergeTrees(server)) {
        if (!match.test(table.name)) continue;
        evidence.push({
          subject: clickhouse.tableSubject(server, table),
          observed: table.ttl,
          expected: 'a table TTL',
          status: table.ttl ? 'pass' : 'fail',
        });
      }
    }
    if (evidence.length === 0)
      return { status: 'skip', message: `no MergeTree table matches ${options.tables}`, evidence };
    const missing = evidence.filter((e) => e.status === 'fail');
    if (missing.length === 0) return { status: 'pass', message: `${evidence.length} events table(s) expire`, evidence };
    return {
      status: 'fail',
      message: `${missing.length} of ${evidence.length} events table(s) have no TTL`,
      evidence,
      remediation: {
        summary: 'Add a TTL of the retention period to each table',
        change: missing
          .map((e) => `ALTER TABLE ${e.subject.split(' ').pop()} MODIFY TTL toDateTime(timestamp) + INTERVAL 90 DAY;`)
          .join('\n'),
        applies: 'none',
      },
    };
  },
});
