// Reading one named setting of a source, per target (or per Redis node), for declarative checks:
// the value in the unit strisk records it in, how the source writes it, and where it came from.
import { SERVER_SETTINGS, SESSION_SETTINGS } from '../collectors/clickhouse/sql.js';
import type { RedisNode } from '../collectors/redis/schema.js';
import type { CheckInput } from '../core/check.js';
import type { Observed } from '../core/declare.js';
import type { Expected, UnitStyle } from '../core/expected.js';
import type { TargetFacts } from '../core/facts.js';
import { serverSubject, servers } from './clickhouse.js';
import { pgSize, settingOrigin } from './postgres.js';
import { configNote, redisNodes, redisSize } from './redis.js';

export interface SettingReader {
  units: UnitStyle;
  /** The settings strisk reads, when it reads a fixed set; undefined when it reads them all. */
  known?: readonly string[];
  /** The shape of a setting name, when any setting of that shape is read. */
  pattern?: RegExp;
  read(input: CheckInput, name: string, context: readonly string[]): Observed[];
  /** The expected value written the way the source writes it. */
  show(e: Expected, name: string): string;
  /** The evidence's `expected`, when the source words it its own way (`appendonly yes`). */
  expectedText?(compare: string, name: string, shown: string): string | undefined;
}

const kindOf = (v: unknown): Observed['kind'] =>
  typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'bool' : 'text';

/** `30s`, `5min`, `1h` as PostgreSQL prints a time setting. */
function pgDuration(seconds: number): string {
  for (const [unit, size] of [
    ['d', 86400],
    ['h', 3600],
    ['min', 60],
    ['s', 1],
  ] as const)
    if (seconds >= size && seconds % size === 0) return `${seconds / size}${unit}`;
  return `${Math.round(seconds * 1000)}ms`;
}

const PG_MEMORY = /^\d*\s*(B|kB|MB|GB|TB)$/;
const PG_TIME = /^\d*\s*(us|ms|s|min|h|d)$/;

function showNumber(e: Expected, bytes: (n: number) => string, seconds: (n: number) => string): string {
  if (e.kind === 'list') return e.items.map((i) => showNumber(i, bytes, seconds)).join(', ');
  if (e.kind !== 'number' || !e.quantity) return e.text;
  return e.quantity === 'bytes' ? bytes(e.value) : seconds(e.value);
}

/** Any pg_settings name: the collector reads those the config's declared checks name. */
const postgres: SettingReader = {
  units: 'postgres',
  pattern: /^[a-z_][a-z0-9_.]*$/,
  read(input, name, context) {
    return input.source('postgres').map((t) => {
      const data = t.data!;
      const s = data.settings[name];
      const unit = s?.unit ?? '';
      const quantity = PG_MEMORY.test(unit) ? 'bytes' : PG_TIME.test(unit) ? 'seconds' : undefined;
      const v = s?.value;
      const shown =
        v === undefined || v === null
          ? null
          : typeof v === 'number' && quantity === 'bytes'
            ? pgSize(v)
            : typeof v === 'number' && quantity === 'seconds'
              ? pgDuration(v)
              : typeof v === 'boolean'
                ? (s?.setting ?? String(v))
                : v;
      const related = context.map((c) => `${c} = ${data.settings[c]?.setting ?? 'not reported'}`);
      return {
        target: t.target,
        subject: `${t.target} ${name}`,
        value: v,
        kind: kindOf(v),
        ...(quantity ? { quantity } : {}),
        shown,
        notes: [`source: ${settingOrigin(data, name)}`, ...related],
      } satisfies Observed;
    });
  },
  // PostgreSQL's own size syntax (`64MB`): the threshold goes into the fix's ALTER SYSTEM as written.
  show: (e) => showNumber(e, pgSize, pgDuration),
};

/** The redis.conf keys strisk reads (CONFIG GET, or INFO when CONFIG is refused). */
const REDIS_KEYS: Record<string, (n: RedisNode) => string | number | boolean | null> = {
  maxmemory: (n) => n.config.maxmemoryBytes,
  'maxmemory-policy': (n) => n.config.maxmemoryPolicy,
  appendonly: (n) => n.config.appendonly,
  appendfsync: (n) => n.config.appendfsync,
};

const redisShown = (v: string | number | boolean | null | undefined, name: string) =>
  v === null || v === undefined
    ? null
    : typeof v === 'boolean'
      ? v
        ? 'yes'
        : 'no'
      : typeof v === 'number' && name === 'maxmemory'
        ? redisSize(v)
        : v;

const redis: SettingReader = {
  units: 'redis',
  known: Object.keys(REDIS_KEYS),
  read(input, name, context) {
    return redisNodes(input.source('redis')).map(({ subject, node }) => {
      const v = REDIS_KEYS[name]?.(node);
      const related = context.flatMap((c) => {
        const r = REDIS_KEYS[c]?.(node);
        return r === null || r === undefined ? [] : [`${c} ${redisShown(r, c)}`];
      });
      const notes = [configNote(node), ...related, v === null ? 'not reported by the server' : ''].filter(
        Boolean,
      );
      return {
        target: subject,
        subject,
        value: v,
        kind: kindOf(v),
        ...(name === 'maxmemory' ? { quantity: 'bytes' as const } : {}),
        shown: redisShown(v, name),
        notes,
      } satisfies Observed;
    });
  },
  show: (e, name) =>
    e.kind === 'bool'
      ? e.value
        ? 'yes'
        : 'no'
      : showNumber(e, name === 'maxmemory' ? redisSize : String, String),
  expectedText: (compare, name, shown) => (compare === 'eq' ? `${name} ${shown}` : undefined),
};

const numeric = (v: string | undefined): string | number | undefined =>
  v !== undefined && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;

/** A size or duration as the plain number the server prints, with what the config wrote. */
const plainNumber = (e: Expected): string =>
  e.kind === 'list'
    ? e.items.map(plainNumber).join(', ')
    : e.kind === 'number' && e.quantity && String(e.value) !== e.text
      ? `${e.value} (${e.text})`
      : e.text;

const clickhouse: SettingReader = {
  units: 'clickhouse',
  known: [...SESSION_SETTINGS, ...SERVER_SETTINGS],
  read(input, name) {
    return servers(input).map((s) => {
      const subject = serverSubject(s);
      const unread = s.data.unread.settings;
      if (unread)
        return {
          target: s.target,
          subject,
          value: undefined,
          kind: 'text',
          shown: null,
          notes: [],
          unreadable: {
            message: `${s.target}: system.settings could not be read (${unread.status}): ${unread.message}`,
            evidence: [{ subject, observed: unread.status, note: unread.message, status: 'fail' }],
          },
        } satisfies Observed;
      const session = s.data.settings?.[name];
      const server = s.data.serverSettings?.[name];
      const raw = (session ?? server)?.value;
      const v = numeric(raw);
      return {
        target: s.target,
        subject,
        value: v,
        kind: kindOf(v),
        shown: raw ?? null,
        notes: session
          ? ["from the audit user's profile (system.settings)"]
          : server
            ? ['from system.server_settings']
            : ['not reported by the server'],
      } satisfies Observed;
    });
  },
  show: plainNumber,
};

const pgbouncer: SettingReader = {
  units: 'pgbouncer',
  read(input, name) {
    return input.source('pgbouncer').map((t) => {
      const raw = t.data!.config[name];
      const v = numeric(raw);
      return {
        target: t.target,
        subject: `${t.target} ${name}`,
        value: v,
        kind: kindOf(v),
        shown: raw ?? null,
        notes: raw === undefined ? ['not in SHOW CONFIG'] : ['from SHOW CONFIG'],
      } satisfies Observed;
    });
  },
  show: plainNumber,
};

export const SETTING_READERS = { postgres, redis, clickhouse, pgbouncer } satisfies Record<
  string,
  SettingReader
>;
export type SettingSource = keyof typeof SETTING_READERS;

/** Every value at a dotted path (`nodes.*.role`: `*` takes every element or key), with its concrete path. */
function walk(value: unknown, segments: readonly string[], at: string[]): { path: string; value: unknown }[] {
  if (segments.length === 0) return [{ path: at.join('.'), value }];
  const [head, ...rest] = segments as [string, ...string[]];
  if (value === null || typeof value !== 'object')
    return [{ path: [...at, head, ...rest].join('.'), value: undefined }];
  if (head === '*') {
    const entries = Array.isArray(value)
      ? value.map((v, i) => [String(i), v] as const)
      : Object.entries(value);
    return entries.flatMap(([k, v]) => walk(v, rest, [...at, k]));
  }
  return walk((value as Record<string, unknown>)[head], rest, [...at, head]);
}

/** A `{ value, file, line }` fact, as the compose and k8s collectors keep values with their place. */
function located(v: unknown): { value: unknown; file?: string; line?: number } | undefined {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || !('value' in v)) return undefined;
  const o = v as { value: unknown; file?: unknown; line?: unknown };
  if (typeof o.file !== 'string' && typeof o.line !== 'number') return undefined;
  return {
    value: o.value,
    ...(typeof o.file === 'string' ? { file: o.file } : {}),
    ...(typeof o.line === 'number' ? { line: o.line } : {}),
  };
}

/** The facts at a dotted path of every readable target of a source. */
export function readFactPath(targets: readonly TargetFacts[], path: string): Observed[] {
  return targets.flatMap((t) =>
    walk(t.data, path.split('.'), []).map(({ path: p, value: raw }) => {
      // A located value (compose, manifests: `{ value, file, line }`) is judged by its value, and
      // its file:line goes into the evidence (SARIF locations, inline suppressions).
      const at = located(raw);
      const value = at ? at.value : raw;
      const v =
        value === undefined || value === null || typeof value !== 'object'
          ? (value as string | number | boolean | null | undefined)
          : JSON.stringify(value).slice(0, 200);
      return {
        target: t.target,
        what: p,
        subject: `${t.target} ${p}`,
        value: v,
        kind: kindOf(v),
        shown: v ?? null,
        notes: [],
        ...(at?.file ? { file: at.file, ...(at.line ? { line: at.line } : {}) } : {}),
      } satisfies Observed;
    }),
  );
}
