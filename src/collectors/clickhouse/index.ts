import { z } from 'zod';
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
  columnsReader,
  hostOf,
  partsReader,
  queryLogOf,
  type Row,
  settingsOf,
  tablesReader,
} from './assemble.js';
import { classifyError, parseEndpoint, ReadOnlyClickHouse } from './client.js';
import {
  type ClickHouseFacts,
  ClickHouseFactsSchema,
  type ClickHouseTargetOptions,
  ClickHouseTargetOptionsSchema,
  type Columns,
  ColumnsSchema,
  TableSchema,
  type UnreadPart,
} from './schema.js';
import { auditQueries, capabilitiesOf, PROBE_SQL } from './sql.js';

export type { ClickHouseFacts } from './schema.js';

// Each table's columns are checked against the schema as their row arrives, while the rest of the
// answer is still on its way (50,000 lists at 10,000 tables); when all of them were, the facts are
// then checked in place without them.
const FactsWithColumnsChecked = ClickHouseFactsSchema.extend({
  tables: z.array(TableSchema.extend({ columns: z.custom<Columns | null>(() => true) })).nullable(),
});

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
    const { data, columnsChecked } = await read(client, parsed.data, label);
    // Checked in place when they are what the schema would give (10,000 tables: no copy of them).
    return done('ok', {
      data:
        columnsChecked && conformsTo(FactsWithColumnsChecked, data)
          ? data
          : ClickHouseFactsSchema.parse(data),
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
): Promise<{ data: ClickHouseFacts; columnsChecked: boolean }> {
  const probe = await client.select<{ table: string; name: string; version: string }>(PROBE_SQL);
  const version = probe[0]?.version ?? '';
  const caps = capabilitiesOf(probe, version);
  const databases = opts.databases ?? null;
  const sql = auditQueries(caps, databases, opts.queryLogWindowHours);
  const unread: ClickHouseFacts['unread'] = {};

  // A part the user may not read is recorded; a dead server or a timeout fails the whole target.
  // `onRow` sees each row as its line arrives; false when the part is not asked for or unread.
  const part = async (
    which: UnreadPart,
    query: string | undefined,
    onRow: (row: Row) => void,
  ): Promise<boolean> => {
    if (query === undefined) return false;
    try {
      await client.selectEach<Row>(query, onRow);
      return true;
    } catch (err) {
      const e = classifyError(err, label);
      if (e.status === 'forbidden' || e.status === 'error') {
        unread[which] = { status: e.status, message: e.message };
        return false;
      }
      throw e;
    }
  };
  const rowsOf = async (which: UnreadPart, query: string | undefined): Promise<Row[] | null> => {
    const rows: Row[] = [];
    return (await part(which, query, (r) => rows.push(r))) ? rows : null;
  };
  // Side by side, on at most MAX_CONNECTIONS connections (client.ts). Each row becomes facts as
  // it arrives, while the rest of its answer and the other answers are on their way: after the
  // last one, only the join of tables, columns and parts is left.
  const tables = tablesReader(caps.dataSkippingIndices);
  const columns = columnsReader(caps.compressionCodec);
  let columnsChecked = true;
  const parts = partsReader(caps.partsDefaultCodec);
  const [settingRows, tablesRead, columnsRead, partsRead, summaryRows, groupRows] = await Promise.all([
    rowsOf('settings', sql.settings),
    part('tables', sql.tables, tables.add).then((read) => read && tables.sorted()),
    part('columns', sql.columns, (r) => {
      const c = columns.add(r);
      if (!conformsTo(ColumnsSchema, c)) columnsChecked = false;
    }),
    part('parts', sql.parts, parts.add),
    rowsOf('queryLog', sql.queryLogSummary),
    rowsOf('queryLog', sql.queryLogGroups),
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
  const data: ClickHouseFacts = {
    version,
    capabilities: caps,
    role: opts.role ?? null,
    databases,
    settings: s?.settings ?? null,
    serverSettings: s && caps.serverSettings ? s.serverSettings : null,
    host: hostOf(s?.metrics ?? {}, s?.settings ?? null, opts),
    tables: tablesRead
      ? tables.join(columnsRead ? columns.byTable : null, partsRead ? parts.byTable : null)
      : null,
    queryLog,
    unread,
    queries: client.queries,
  };
  return { data, columnsChecked };
}

/** The password must never reach the facts, even inside a server's error message. */
export const clickhouseCollector: LiveCollector<ClickHouseFacts> = { collect };
