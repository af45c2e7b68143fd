// The expected value of a declarative check, read the way its source writes values: `64MB` and
// `30s` as PostgreSQL does, `1gb` (1024³) and `1g` (1000³) as redis.conf does, `10Gi` and `10G` as
// ClickHouse does. Sizes become bytes and durations seconds (milliseconds for a ClickHouse `*_ms`
// setting), the units strisk records these settings in.

export type Quantity = 'bytes' | 'seconds';
export type Expected =
  | { kind: 'number'; value: number; quantity?: Quantity; text: string }
  | { kind: 'bool'; value: boolean; text: string }
  | { kind: 'text'; value: string; text: string }
  | { kind: 'list'; items: Expected[]; text: string }
  | { kind: 'regex'; regex: RegExp; text: string };

/** How a source writes units: its settings' own conventions, or plain numbers for a fact path. */
export type UnitStyle = 'postgres' | 'redis' | 'clickhouse' | 'pgbouncer' | 'fact';

const K = 1024;
/** PostgreSQL's units (https://www.postgresql.org/docs/current/config-setting.html): 1024 multiples. */
const PG_BYTES: Record<string, number> = { b: 1, kb: K, mb: K ** 2, gb: K ** 3, tb: K ** 4 };
const PG_SECONDS: Record<string, number> = { us: 1e-6, ms: 1e-3, s: 1, min: 60, h: 3600, d: 86400 };
/** redis.conf: `1k` = 1000 bytes, `1kb` = 1024 bytes, and so on; case-insensitive. */
const REDIS_BYTES: Record<string, number> = {
  b: 1,
  k: 1e3,
  kb: K,
  m: 1e6,
  mb: K ** 2,
  g: 1e9,
  gb: K ** 3,
};
/** ClickHouse size suffixes: `K`, `M`, `G`, `T` are powers of 1000, `Ki`, `Mi`, `Gi`, `Ti` of 1024. */
const CH_BYTES: Record<string, number> = {
  k: 1e3,
  m: 1e6,
  g: 1e9,
  t: 1e12,
  ki: K,
  mi: K ** 2,
  gi: K ** 3,
  ti: K ** 4,
  kib: K,
  mib: K ** 2,
  gib: K ** 3,
  tib: K ** 4,
};

const BYTES_OF: Record<UnitStyle, Record<string, number>> = {
  postgres: PG_BYTES,
  redis: REDIS_BYTES,
  clickhouse: CH_BYTES,
  pgbouncer: PG_BYTES,
  fact: PG_BYTES,
};
/** Redis config durations are plain seconds; the others take PostgreSQL's time units. */
const SECONDS_OF: Record<UnitStyle, Record<string, number>> = {
  postgres: PG_SECONDS,
  redis: {},
  clickhouse: PG_SECONDS,
  pgbouncer: PG_SECONDS,
  fact: {},
};

const BOOLS: Record<string, boolean> = {
  on: true,
  off: false,
  true: true,
  false: false,
  yes: true,
  no: false,
};

/** A scalar as the source writes it; a string error when it cannot be read for an ordered comparison. */
function scalar(
  raw: string | number | boolean,
  ordered: boolean,
  style: UnitStyle,
  name: string,
): Expected | string {
  const text = String(raw);
  if (typeof raw === 'number') return { kind: 'number', value: raw, text };
  if (typeof raw === 'boolean') return { kind: 'bool', value: raw, text };
  const t = raw.trim();
  if (/^-?\d+(\.\d+)?$/.test(t)) return { kind: 'number', value: Number(t), text };
  const m = /^(-?\d+(?:\.\d+)?)\s*([a-zA-Z]+)$/.exec(t);
  if (m) {
    const n = Number(m[1]);
    const unit = m[2]!.toLowerCase();
    const bytes = BYTES_OF[style][unit];
    if (bytes !== undefined) return { kind: 'number', value: Math.round(n * bytes), quantity: 'bytes', text };
    const seconds = SECONDS_OF[style][unit];
    if (seconds !== undefined) {
      // ClickHouse names its millisecond settings `*_ms`; the rest are seconds.
      const scale = style === 'clickhouse' && name.endsWith('_ms') ? 1000 : 1;
      return { kind: 'number', value: n * seconds * scale, quantity: 'seconds', text };
    }
    if (ordered)
      return `"${text}" has a unit ${style === 'fact' ? 'a fact path' : style} does not use (${unitsHelp(style)})`;
  }
  if (ordered) return `"${text}" is not a number or a size or duration (${unitsHelp(style)})`;
  const b = BOOLS[t.toLowerCase()];
  if (b !== undefined && style !== 'fact') return { kind: 'bool', value: b, text };
  return { kind: 'text', value: raw, text };
}

function unitsHelp(style: UnitStyle): string {
  const sizes = Object.keys(BYTES_OF[style]).join(', ');
  const times = Object.keys(SECONDS_OF[style]).join(', ');
  return `sizes: ${sizes}${times ? `; durations: ${times}` : '; durations as plain numbers'}`;
}

/**
 * The expected value of comparison `compare`, or a message saying why it cannot be read: ordered
 * comparisons need a number, size or duration; `in` a list; `matches` a regular expression.
 */
export function parseExpected(raw: unknown, compare: string, style: UnitStyle, name = ''): Expected | string {
  const ordered = ['gte', 'lte', 'gt', 'lt'].includes(compare);
  if (compare === 'in') {
    if (!Array.isArray(raw) || raw.length === 0) return 'compare: in needs a non-empty list';
    const items: Expected[] = [];
    for (const r of raw) {
      const e = scalar(r as string | number, false, style, name);
      if (typeof e === 'string') return e;
      items.push(e);
    }
    return { kind: 'list', items, text: raw.map(String).join(', ') };
  }
  if (Array.isArray(raw)) return `compare: ${compare} takes one value, not a list (use in)`;
  if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean')
    return 'expected a value';
  if (compare === 'matches') {
    try {
      return { kind: 'regex', regex: new RegExp(String(raw)), text: String(raw) };
    } catch (err) {
      return `not a regular expression: ${(err as Error).message}`;
    }
  }
  return scalar(raw, ordered, style, name);
}
