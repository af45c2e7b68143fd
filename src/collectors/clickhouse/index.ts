import type { TargetFacts } from '../../core/facts.js';
import { redactUrl } from '../../core/redact-url.js';
import { conformsTo } from '../conforms.js';
import {
  type CollectContext,
  type LiveCollector,
  scrubPassword,
  sourceDeadlineMs,
  type TargetSpec,
  targetFacts,
} from '../types.js';
import {
  columnsByTable,
  hostOf,
  partsByTable,
  queryLogOf,
  type Row,
  settingsOf,
  tablesOf,
} from './assemble.js';
import { classifyError, parseEndpoint, ReadOnlyClickHouse } from './client.js';
import {
  type ClickHouseFacts,
  ClickHouseFactsSchema,
  type ClickHouseTargetOptions,
  ClickHouseTargetOptionsSchema,
  type UnreadPart,
} from './schema.js';
import { auditQueries, capabilitiesOf, PROBE_SQL } from './sql.js';

export type { ClickHouseFacts } from './schema.js';

/**
 * Reads one ClickHouse server over HTTP(S) in a fixed number of read-only queries: the probe,
 * then settings, tables, columns, parts and (where the server keeps one) two over the query log.
 * Never throws: a failure becomes the target's status; a part the user may not read becomes
 * `unread` in the facts and only the checks that need it error.
 * Target keys: `url`, `name`, `databases`, `role`, `queryLogWindowHours`, `memory`, `cpus`, `tlsCaFile`.
 */
export async function collect(
  target: TargetSpec,
  ctx: CollectContext,
): Promise<TargetFacts<ClickHouseFacts>> {
  const started = performance.now();
  const done = targetFacts<ClickHouseFacts>(target.name ?? redactUrl(target.url), started);
  const parsed = ClickHouseTargetOptionsSchema.safeParse(target);
  if (!parsed.success)
    return done('invalid', { message: `invalid clickhouse target options: ${parsed.error.message}` });
  let client: ReadOnlyClickHouse;
  let label: string;
  try {
    const endpoint = parseEndpoint(target.url);
    label = endpoint.label;
    client = new ReadOnlyClickHouse(
      endpoint,
      ctx.timeoutMs,
      ctx.projectDir,
      parsed.data.tlsCaFile,
      ctx.signal ?? AbortSignal.timeout(sourceDeadlineMs(ctx.timeoutMs)),
    );
  } catch (err) {
    return done('invalid', { message: `invalid clickhouse target: ${(err as Error).message}` });
  }
  try {
    const data = await read(client, parsed.data, label);
    // Checked in place when they are what the schema would give (10,000 tables: no copy of them).
    return done('ok', {
      data: conformsTo(ClickHouseFactsSchema, data) ? data : ClickHouseFactsSchema.parse(data),
    });
  } catch (err) {
    const e = classifyError(err, label);
    return done(e.status, { message: scrubPassword(e.message, target.url) });
  } finally {
    await client.close();
  }
}

async function read(
  client: ReadOnlyClickHouse,
  opts: ClickHouseTargetOptions,
  label: string,
): Promise<ClickHouseFacts> {
  const probe = await client.select<{ table: string; name: string; version: string }>(PROBE_SQL);
  const version = probe[0]?.version ?? '';
  const caps = capabilitiesOf(probe, version);
  const databases = opts.databases ?? null;
  const sql = auditQueries(caps, databases, opts.queryLogWindowHours);
  const unread: ClickHouseFacts['unread'] = {};

  // A part the user may not read is recorded; a dead server or a timeout fails the whole target.
  const part = async (which: UnreadPart, query: string | undefined): Promise<Row[] | null> => {
    if (query === undefined) return null;
    try {
      return await client.select<Row>(query);
    } catch (err) {
      const e = classifyError(err, label);
      if (e.status === 'forbidden' || e.status === 'error') {
        unread[which] = { status: e.status, message: e.message };
        return null;
      }
      throw e;
    }
  };
  // Side by side, on at most MAX_CONNECTIONS connections (client.ts).
  // Each answer is turned into facts as it arrives, while the others are still on their way.
  const [settingRows, tableRows, columns, parts, summaryRows, groupRows] = await Promise.all([
    part('settings', sql.settings),
    part('tables', sql.tables),
    part('columns', sql.columns).then((rows) => rows && columnsByTable(rows, caps.compressionCodec)),
    part('parts', sql.parts).then((rows) => rows && partsByTable(rows, caps.partsDefaultCodec)),
    part('queryLog', sql.queryLogSummary),
    part('queryLog', sql.queryLogGroups),
  ]);

  const s = settingRows ? settingsOf(settingRows) : null;
  const queryLog =
    caps.queryLog && summaryRows && groupRows && !unread.queryLog
      ? queryLogOf(
          summaryRows[0],
          groupRows,
          opts.queryLogWindowHours,
          caps.queryLogNormalizedHash ? 'normalized_query_hash' : 'prefix',
          caps.queryLogTables,
        )
      : null;
  return {
    version,
    capabilities: caps,
    role: opts.role ?? null,
    databases,
    settings: s?.settings ?? null,
    serverSettings: s && caps.serverSettings ? s.serverSettings : null,
    host: hostOf(s?.metrics ?? {}, s?.settings ?? null, opts),
    tables: tableRows ? tablesOf(tableRows, columns, parts, caps.dataSkippingIndices) : null,
    queryLog,
    unread,
    queries: client.queries,
  };
}

/** The password must never reach the facts, even inside a server's error message. */
export const clickhouseCollector: LiveCollector<ClickHouseFacts> = { collect };
