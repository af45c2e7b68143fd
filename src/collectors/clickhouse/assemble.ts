// Turns the rows of the audit queries into facts. Pure: no I/O.
import { redactSqlLiterals } from '../../core/redact-sql.js';
import { parseBytes } from '../../core/units.js';
import {
  type ClickHouseFacts,
  type ClickHouseTargetOptions,
  type Columns,
  DURATION_EDGES_MS,
  type Parts,
  type QueryGroup,
  type QueryLog,
  type Setting,
  type Table,
} from './schema.js';

export type Row = Record<string, unknown>;

// 64-bit integers come back quoted (output_format_json_quote_64bit_integers), NaN as null.
const num = (v: unknown): number => {
  const n = Number(v ?? 0);
  return Number.isFinite(n) ? n : 0;
};
const numOrNull = (v: unknown): number | null => {
  if (v === null || v === undefined || v === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
};
const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export function settingsOf(rows: Row[]): {
  settings: Record<string, Setting>;
  serverSettings: Record<string, Setting>;
  metrics: Record<string, number>;
} {
  const settings: Record<string, Setting> = {};
  const serverSettings: Record<string, Setting> = {};
  const metrics: Record<string, number> = {};
  for (const r of rows) {
    const name = str(r.name);
    const setting = { value: str(r.value), changed: num(r.changed) === 1 };
    if (r.scope === 'session') settings[name] = setting;
    else if (r.scope === 'server') serverSettings[name] = setting;
    else if (r.scope === 'metric') metrics[name] = num(r.value);
  }
  return { settings, serverSettings, metrics };
}

/** `auto(4)` or `4` → 4. */
function threadCount(value: string | undefined): number | null {
  const m = /^(?:auto\()?(\d+)\)?$/.exec(value ?? '');
  return m ? Number(m[1]) : null;
}

/** The host's RAM and cores: what the server measures, else the target's config. */
export function hostOf(
  metrics: Record<string, number>,
  settings: Record<string, Setting> | null,
  opts: ClickHouseTargetOptions,
): ClickHouseFacts['host'] {
  const memories = [
    { bytes: metrics.CGroupMemoryTotal, from: 'server: CGroupMemoryTotal (container limit)' },
    { bytes: metrics.OSMemoryTotal, from: 'server: OSMemoryTotal' },
  ].filter((m): m is { bytes: number; from: string } => typeof m.bytes === 'number' && m.bytes > 0);
  let memory = memories.sort((a, b) => a.bytes - b.bytes)[0] ?? null;
  if (!memory && opts.memory !== undefined) {
    const bytes = typeof opts.memory === 'number' ? opts.memory : parseBytes(opts.memory);
    if (bytes) memory = { bytes, from: `config: memory ${String(opts.memory)} on the target` };
  }
  let cores: { n: number; from: string } | null = null;
  if (metrics.CGroupMaxCPU && metrics.CGroupMaxCPU > 0)
    cores = { n: metrics.CGroupMaxCPU, from: 'server: CGroupMaxCPU (container limit)' };
  else if (metrics.NumberOfLogicalCores)
    cores = { n: metrics.NumberOfLogicalCores, from: 'server: NumberOfLogicalCores' };
  else if (opts.cpus) cores = { n: opts.cpus, from: 'config: cpus on the target' };
  else {
    const maxThreads = settings?.max_threads;
    const n = maxThreads && !maxThreads.changed ? threadCount(maxThreads.value) : null;
    if (n) cores = { n, from: 'server: default max_threads (the number of physical cores)' };
  }
  return {
    memoryBytes: memory?.bytes ?? null,
    memoryFrom: memory?.from ?? null,
    cores: cores?.n ?? null,
    coresFrom: cores?.from ?? null,
  };
}

/** The table TTL clause from the engine clause: `TTL ts + toIntervalDay(90)`, without SETTINGS. */
export function ttlOf(engineFull: string): string | null {
  const m = /\bTTL\s+([\s\S]+?)(?=\s+SETTINGS\s|$)/.exec(engineFull);
  return m ? m[1]!.trim() : null;
}

const key = (database: unknown, table: unknown) => `${str(database)}\u0000${str(table)}`;

const ESCAPED: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', '0': '\0' };

/**
 * The strings of an array as ClickHouse prints it (`toString`): `['a','b\'c']`. Quotes, backslashes
 * and control characters inside an item are escaped with a backslash, so without any backslash
 * the quotes and commas between the items are all there is to cut.
 */
export function stringsOfArrayText(text: string): string[] {
  if (text === '[]') return [];
  if (!text.includes('\\') && text.startsWith("['") && text.endsWith("']"))
    return text.slice(2, -2).split("','");
  const out: string[] = [];
  let i = text.startsWith('[') ? 1 : 0;
  while (text[i] === "'") {
    let item = '';
    for (i++; i < text.length && text[i] !== "'"; i++) {
      if (text[i] === '\\' && i + 1 < text.length) {
        const c = text[++i]!;
        item += ESCAPED[c] ?? c;
      } else item += text[i];
    }
    out.push(item);
    i++; // the closing quote
    if (text[i] === ',') i++;
  }
  return out;
}

/** How many distinct names and types the columns reader shares (the common ones come early). */
export const INTERNED_STRINGS = 10_000;

/**
 * Turns rows of the columns answer into each table's columns, one row at a time as the answer
 * arrives. `add` returns the table's columns it built.
 */
export function columnsReader(withCodec: boolean): {
  add: (row: Row) => Columns;
  byTable: Map<string, Columns>;
} {
  const byTable = new Map<string, Columns>();
  // Names and types repeat across tables (`id`, `UInt64`): one string each, not one per column
  // (a third of the facts' memory at 10,000 tables of 20 columns). The first INTERNED_STRINGS
  // distinct ones are kept: where names do not repeat (every table its own), growing the map to
  // 200,000 of them took longer than all the rest of the columns' facts.
  const seen = new Map<string, string>();
  const one = (v: unknown): string => {
    const s = str(v);
    const known = seen.get(s);
    if (known !== undefined) return known;
    if (seen.size < INTERNED_STRINGS) seen.set(s, s);
    return s;
  };
  // Whole lists repeat too (tables of one schema): each text is split once, each table gets a copy.
  const lists = new Map<string, string[]>();
  const strings = (v: unknown): string[] => {
    if (typeof v === 'string') {
      let list = lists.get(v);
      if (!list) {
        list = stringsOfArrayText(v);
        for (let i = 0; i < list.length; i++) list[i] = one(list[i]);
        lists.set(v, list);
      }
      return list.slice();
    }
    // A JSON array: its elements are changed in place, no second copy.
    const a = arr(v);
    for (let i = 0; i < a.length; i++) a[i] = one(a[i]);
    return a as string[];
  };
  const numbers = (v: unknown): number[] => {
    const a = arr(v);
    for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) a[i] = num(a[i]);
    return a as number[];
  };
  const add = (r: Row): Columns => {
    const columns = {
      name: strings(r.names),
      type: strings(r.types),
      bytes: numbers(r.bytes),
      compressedBytes: numbers(r.compressed),
      codec: withCodec ? strings(r.codecs) : null,
      partitionKey: strings(r.partition_columns),
    };
    byTable.set(key(r.database, r.table), columns);
    return columns;
  };
  return { add, byTable };
}

export function columnsByTable(rows: Row[], withCodec: boolean): Map<string, Columns> {
  const reader = columnsReader(withCodec);
  for (const r of rows) reader.add(r);
  return reader.byTable;
}

export function partOf(r: Row, withCodecs: boolean): Parts {
  return {
    active: num(r.active),
    partitions: num(r.partitions),
    maxPerPartition: num(r.max_per_partition),
    worstPartition: str(r.worst_partition),
    rows: num(r.total_rows),
    bytesOnDisk: num(r.bytes_on_disk),
    uncompressedBytes: num(r.uncompressed_bytes),
    defaultCodecs: withCodecs ? arr(r.default_codecs).map(str) : null,
  };
}

/** Each row of the parts answer as it arrives, by table. */
export function partsReader(withCodecs: boolean): { add: (row: Row) => void; byTable: Map<string, Parts> } {
  const byTable = new Map<string, Parts>();
  return { add: (r) => byTable.set(key(r.database, r.table), partOf(r, withCodecs)), byTable };
}

export function partsByTable(rows: Row[], withCodecs: boolean): Map<string, Parts> {
  const reader = partsReader(withCodecs);
  for (const r of rows) reader.add(r);
  return reader.byTable;
}

/** One table of the tables answer, without its columns and parts (`tablesReader` joins them). */
export function tableOf(r: Row, withIndices: boolean): Table {
  const names = arr(r.index_names);
  const types = arr(r.index_types);
  const exprs = arr(r.index_exprs);
  return {
    database: str(r.database),
    name: str(r.name),
    engine: str(r.engine),
    partitionKey: str(r.partition_key),
    sortingKey: str(r.sorting_key),
    samplingKey: str(r.sampling_key),
    // engine_full is only asked for where a TTL can exist (19.6+): printing it for every
    // table was 0.74 s of a 0.79 s tables query at 10,000 tables on 18.16.
    ttl: r.engine_full === undefined ? null : ttlOf(str(r.engine_full)),
    skipIndices: withIndices
      ? names.map((n, i) => ({ name: str(n), type: str(types[i]), expr: str(exprs[i]) }))
      : null,
    columns: null,
    parts: null,
  };
}

// localeCompare's order, from one collator: 140,000 localeCompare calls sorted 10,000 tables slowly.
const byLocale = new Intl.Collator();

/** Tables in the facts' order: by database, then name. Sorts in place. */
export function sortTables(tables: Table[]): Table[] {
  return tables.sort((a, b) => byLocale.compare(a.database, b.database) || byLocale.compare(a.name, b.name));
}

/**
 * The tables answer, table by table as it arrives, each indexed by its key as it comes: the join
 * with the columns and parts after the last answer then looks up keys already hashed, instead of
 * building 10,000 keys again.
 */
export function tablesReader(withIndices: boolean): {
  add: (row: Row) => void;
  /** The tables so far, sorted (in place). */
  sorted: () => Table[];
  /** Gives each table its columns and parts, in place; null where they were not read. */
  join: (columns: Map<string, Columns> | null, parts: Map<string, Parts> | null) => Table[];
} {
  const tables: Table[] = [];
  const byKey = new Map<string, Table>();
  return {
    add: (r) => {
      const t = tableOf(r, withIndices);
      tables.push(t);
      byKey.set(key(r.database, r.name), t);
    },
    sorted: () => sortTables(tables),
    join: (columns, parts) => {
      // Columns or parts of a table the tables answer did not list (created since) are left out.
      let withCodecs = false;
      columns?.forEach((c, k) => {
        const t = byKey.get(k);
        if (t) t.columns = c;
      });
      parts?.forEach((p, k) => {
        const t = byKey.get(k);
        if (t) t.parts = p;
        if (p.defaultCodecs !== null) withCodecs = true;
      });
      // A MergeTree table with no active part is empty, not unknown.
      for (const t of tables) {
        if (columns && t.columns === null) t.columns = NO_COLUMNS;
        if (parts && t.parts === null && t.engine.endsWith('MergeTree')) t.parts = emptyParts(withCodecs);
      }
      return tables;
    },
  };
}

/** Tables from the rows of the three answers, sorted. */
export function tablesOf(
  rows: Row[],
  columns: Map<string, Columns> | null,
  parts: Map<string, Parts> | null,
  withIndices: boolean,
): Table[] {
  const reader = tablesReader(withIndices);
  for (const r of rows) reader.add(r);
  reader.sorted();
  return reader.join(columns, parts);
}

/** The columns of a table the columns answer did not list. */
export const NO_COLUMNS: Columns = {
  name: [],
  type: [],
  bytes: [],
  compressedBytes: [],
  codec: null,
  partitionKey: [],
};

/**
 * The parts of a MergeTree table with no active part: one object for all of them (like
 * NO_COLUMNS), frozen, not one per empty table.
 */
const EMPTY_PARTS = Object.freeze({
  active: 0,
  partitions: 0,
  maxPerPartition: 0,
  worstPartition: '',
  rows: 0,
  bytesOnDisk: 0,
  uncompressedBytes: 0,
  defaultCodecs: null,
}) as Parts;
const EMPTY_PARTS_WITH_CODECS = Object.freeze({
  ...EMPTY_PARTS,
  defaultCodecs: Object.freeze([]) as unknown as string[],
}) as Parts;

function emptyParts(withCodecs: boolean): Parts {
  return withCodecs ? EMPTY_PARTS_WITH_CODECS : EMPTY_PARTS;
}

export function queryLogOf(
  summary: Row | undefined,
  groupRows: Row[],
  windowHours: number,
  groupedBy: QueryLog['groupedBy'],
  withTables: boolean,
): QueryLog {
  const s = summary ?? {};
  const queries = num(s.queries);
  const seen = new Map<string, QueryGroup>();
  for (const r of groupRows) {
    const g: QueryGroup = {
      // A logged `CREATE USER x IDENTIFIED BY '...'` must not carry its password into the facts.
      sample: redactSqlLiterals(str(r.sample)),
      count: num(r.n),
      meanMs: Math.round(num(r.mean_ms) * 10) / 10,
      maxMs: num(r.max_ms),
      maxReadRows: num(r.max_read_rows),
      maxReadBytes: num(r.max_read_bytes),
      tables: withTables ? arr(r.tables).map(str) : null,
      selectStar: num(r.select_star) === 1,
    };
    seen.set(`${g.sample}\u0000${g.count}\u0000${g.maxMs}`, g);
  }
  return {
    windowHours,
    from: queries > 0 ? str(s.first_time) : null,
    to: queries > 0 ? str(s.last_time) : null,
    queries,
    selects: num(s.selects),
    selectStar: num(s.select_star),
    meanMs: queries > 0 ? Math.round(num(s.mean_ms) * 10) / 10 : null,
    p95Ms: queries > 0 ? numOrNull(s.p95_ms) : null,
    maxMs: queries > 0 ? numOrNull(s.max_ms) : null,
    over: DURATION_EDGES_MS.map((ms) => ({ ms, count: num(s[`over_${ms}`]) })),
    groupedBy,
    groups: [...seen.values()],
  };
}
