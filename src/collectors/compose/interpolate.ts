// Compose variable interpolation (`${VAR:-default}` and friends) and `.env` parsing.
import { InputError } from '../../core/errors.js';
import type { LEntry, LMap, LNode } from './yaml-located.js';

export type Lookup = (name: string) => string | undefined;

export interface UnresolvedRef {
  variable: string;
  /** The `:?err` / `?err` message, when the reference carried one. */
  message?: string;
}

export interface Interpolated {
  value: string;
  unresolved: UnresolvedRef[];
  /** Whether a value from the environment (or .env) went into `value`. */
  fromEnv: boolean;
}

/** A piece of the input in a message: quoted, escaped, and short. */
const quote = (s: string) => JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}…` : s);

const NAME_START = /[A-Za-z_]/;
const MAX_REFERENCE_NESTING = 20;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/** Index just past the `}` that closes the `${` opened at `start` (which points at `$`), or -1. */
function closingBrace(s: string, start: number): number {
  let depth = 0;
  for (let i = start; i < s.length; i++) {
    if (s[i] === '$' && s[i + 1] === '$') {
      i++;
    } else if (s[i] === '$' && s[i + 1] === '{') {
      depth++;
      i++;
    } else if (s[i] === '}') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

/**
 * Interpolates one string as docker compose does. A variable with no value and no default is
 * reported and its reference kept as written, never replaced by a guess (compose would use "").
 * Throws a plain Error on a malformed `${...}`; the caller adds file and line.
 */
export function interpolateString(s: string, lookup: Lookup, depth = 0): Interpolated {
  // `${A:-${B:-${C...}}}`: each level rescans the rest of the string, so the depth is bounded.
  if (depth > MAX_REFERENCE_NESTING)
    throw new Error(`variable references nested more than ${MAX_REFERENCE_NESTING} levels deep`);
  const unresolved: UnresolvedRef[] = [];
  let fromEnv = false;
  let out = '';
  let i = 0;
  while (i < s.length) {
    const ch = s[i];
    if (ch !== '$') {
      out += ch;
      i++;
      continue;
    }
    const next = s[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '{') {
      const end = closingBrace(s, i);
      if (end < 0) throw new Error(`unterminated variable reference in ${quote(s)}`);
      const raw = s.slice(i, end);
      const r = braced(raw.slice(2, -1), raw, lookup, depth);
      out += r.value;
      unresolved.push(...r.unresolved);
      fromEnv ||= r.fromEnv;
      i = end;
    } else if (next !== undefined && NAME_START.test(next)) {
      const name = NAME.exec(s.slice(i + 1))?.[0] ?? '';
      const v = lookup(name);
      if (v === undefined) {
        unresolved.push({ variable: name });
        out += `$${name}`;
      } else {
        out += v;
        fromEnv = true;
      }
      i += 1 + name.length;
    } else {
      // A lone `$` (end of string, `$1`): kept literally.
      out += '$';
      i++;
    }
  }
  return { value: out, unresolved, fromEnv };
}

function braced(body: string, raw: string, lookup: Lookup, depth: number): Interpolated {
  const name = NAME.exec(body)?.[0];
  if (!name) throw new Error(`invalid variable reference ${quote(raw)}: expected a name like \${VAR}`);
  const rest = body.slice(name.length);
  const value = lookup(name);
  const empty = value === undefined || value === '';
  const used = (v: string | undefined): Interpolated => ({ value: v ?? '', unresolved: [], fromEnv: true });
  if (rest === '') {
    return value === undefined
      ? { value: raw, unresolved: [{ variable: name }], fromEnv: false }
      : used(value);
  }
  const op = /^(:-|-|:\?|\?|:\+|\+)/.exec(rest)?.[0];
  if (!op) throw new Error(`invalid variable reference ${quote(raw)}: unknown operator after ${name}`);
  const arg = rest.slice(op.length);
  switch (op) {
    case ':-':
      return empty ? interpolateString(arg, lookup, depth + 1) : used(value);
    case '-':
      return value === undefined ? interpolateString(arg, lookup, depth + 1) : used(value);
    case ':?':
    case '?': {
      const missing = op === ':?' ? empty : value === undefined;
      if (!missing) return used(value);
      // The message is shown and saved: as written when the environment filled part of it.
      const m = interpolateString(arg, lookup, depth + 1);
      const msg = m.fromEnv ? arg : m.value;
      return {
        value: raw,
        unresolved: [{ variable: name, message: msg || `required variable ${name} is missing a value` }],
        fromEnv: false,
      };
    }
    default: {
      const set = op === ':+' ? !empty : value !== undefined;
      return set ? interpolateString(arg, lookup, depth + 1) : { value: '', unresolved: [], fromEnv: false };
    }
  }
}

export interface UnresolvedAt extends UnresolvedRef {
  file: string;
  line: number;
}

/**
 * Where in a compose file an interpolated value may keep what the environment gave it. Facts are
 * saved and shown, and no secret from `.env` or the environment may enter them (design §6), so a
 * value the environment filled in is kept only where checks need it and it is a setting, not a
 * secret: image references, build paths, ports, resource limits, volumes, restart and health
 * timings, log rotation, counts and booleans. Everywhere else (command, entrypoint, healthcheck
 * test, environment values, labels, build args, logging options named like secrets, URLs with
 * credentials, anything unknown) the scalar stays as written, `${NAME}` and all.
 */
type Place =
  | 'keep'
  | 'redact'
  | 'root'
  | 'services'
  | 'service'
  | 'build'
  | 'healthcheck'
  | 'logging'
  | 'logging-options'
  | 'deploy'
  | 'environment'
  | 'environment-address';

const KEPT_AT_ROOT = new Set(['name', 'include']);
const KEPT_IN_SERVICE = new Set([
  'image',
  'platform',
  'pull_policy',
  'extends',
  'ports',
  'expose',
  'volumes',
  'volumes_from',
  'tmpfs',
  'read_only',
  'restart',
  'scale',
  'profiles',
  'env_file',
  'depends_on',
  'network_mode',
  'networks',
  'init',
  'privileged',
  'ipc',
  'pid',
  'runtime',
  'stop_grace_period',
  'stop_signal',
  'mem_limit',
  'mem_reservation',
  'memswap_limit',
  'mem_swappiness',
  'shm_size',
  'cpus',
  'cpu_count',
  'cpu_percent',
  'cpu_shares',
  'cpu_quota',
  'cpu_period',
  'cpu_rt_runtime',
  'cpu_rt_period',
  'cpuset',
  'pids_limit',
  'ulimits',
  'sysctls',
  'oom_kill_disable',
  'oom_score_adj',
]);
const KEPT_IN_BUILD = new Set(['context', 'dockerfile', 'target', 'tags', 'network', 'shm_size']);
const SECRET_LIKE = /pass|secret|token|credential|private|key|auth|cert/i;
const URL_USERINFO = /\b[a-z][a-z0-9+.-]*:\/\/[^/@\s]*@/i;

/** The place of a map entry `key` (or, with key undefined, of a list item) inside `place`. */
function childPlace(place: Place, key: string | undefined): Place {
  if (place === 'keep' || place === 'redact') return place;
  // `environment:` as a list: its items (`KEY=value`) name their variable themselves.
  if (key === undefined) return place === 'environment' ? 'environment' : 'redact';
  switch (place) {
    case 'root':
      return key === 'services' ? 'services' : KEPT_AT_ROOT.has(key) ? 'keep' : 'redact';
    case 'services':
      return 'service';
    case 'service':
      if (key === 'build' || key === 'healthcheck' || key === 'logging' || key === 'deploy') return key;
      if (key === 'environment') return 'environment';
      return KEPT_IN_SERVICE.has(key) ? 'keep' : 'redact';
    case 'build':
      return KEPT_IN_BUILD.has(key) ? 'keep' : 'redact';
    case 'healthcheck':
      return key === 'test' ? 'redact' : 'keep';
    case 'logging':
      return key === 'options' ? 'logging-options' : 'keep';
    case 'logging-options':
      return SECRET_LIKE.test(key) ? 'redact' : 'keep';
    case 'deploy':
      return key === 'labels' ? 'redact' : 'keep';
    case 'environment':
    case 'environment-address':
      return key !== undefined && ADDRESS_NAME.test(key) ? 'environment-address' : 'environment';
  }
}

/** Variables that name where a service is (`DB_HOST`, `REDIS_PORT`): an address, not a secret. */
export const ADDRESS_NAME = /(^|_)(HOST|HOSTNAME|PORT|ADDR|ADDRESS|SERVER)$/i;

/** `KEY=scheme://[userinfo@]host[:port]/rest` (or without `KEY=`): the pieces of a URL-valued variable. */
const ENV_URL = /^((?:[A-Za-z_][A-Za-z0-9_]*=)?[a-z][a-z0-9+.-]*:\/\/(?:[^/?#\s]*@)?)([^/?#@\s]*)(.*)$/is;

/**
 * An environment value as the facts may keep it: a URL's host and port filled in from variables
 * that name an address are kept (which service an app talks to is how roles are told:
 * `postgres://…@${POSTGRES_HOST}:5432/app`), and so is the value of a variable named as an address
 * (`DB_HOST`, `REDIS_PORT`); a URL's scheme, credentials, path and query stay as written (a path or
 * a query can carry a token). Any other value the environment filled in stays as written.
 */
function environmentValue(written: string, lookup: Lookup, address: boolean): string | undefined {
  try {
    // `- DB_HOST=${POSTGRES_HOST}` in the list form names its variable in the item.
    const item = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(written);
    if (address || (item && ADDRESS_NAME.test(item[1]!))) {
      const prefix = item ? `${item[1]}=` : '';
      const v = interpolateString(item ? item[2]! : written, lookup);
      return /^[\w.:[\]-]+$/.test(v.value) ? `${prefix}${v.value}` : undefined;
    }
    const m = ENV_URL.exec(written);
    if (!m || m[2]!.includes('${') !== m[2]!.includes('}')) return undefined;
    // Only variables that name an address (`${POSTGRES_HOST}:${POSTGRES_PORT}`) fill in a host.
    const names = [...m[2]!.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)].map((r) => r[1]!);
    if (!names.every((n) => ADDRESS_NAME.test(n))) return undefined;
    const host = interpolateString(m[2]!, lookup);
    if (!host.fromEnv || !/^[\w.:[\]-]+$/.test(host.value)) return undefined;
    return `${m[1]}${host.value}${m[3]}`;
  } catch {
    // A reference this split cut in two (a default holding `/` or `@`): keep it as written.
    return undefined;
  }
}

/** Whether a scalar at `place` keeps a value the environment filled in. */
function keeps(place: Place, value: string): boolean {
  // `build: ${CONTEXT}` is a path; a URL with user or password never stays.
  return (place === 'keep' || place === 'build') && !URL_USERINFO.test(value);
}

/**
 * Interpolates every string scalar of a tree (keys are left alone, as compose does). A scalar that
 * took a value from the environment keeps it only where `keeps` says; elsewhere it stays as written.
 * Shared subtrees (aliases) are interpolated once per kind of place, so each written reference is
 * reported once.
 */
export function interpolateTree(root: LMap, lookup: Lookup, unresolved: UnresolvedAt[]): LMap {
  const memo = new Map<Place, Map<LNode, LNode>>();
  const walk = (n: LNode, place: Place): LNode => {
    // A scalar without `$` is its own result: no memo entry (most nodes of a file are such scalars).
    if (n.kind === 'scalar' && (typeof n.value !== 'string' || !n.value.includes('$'))) return n;
    const seen = memo.get(place) ?? new Map<LNode, LNode>();
    memo.set(place, seen);
    const done = seen.get(n);
    if (done) return done;
    let out: LNode;
    if (n.kind === 'scalar') {
      if (typeof n.value !== 'string' || !n.value.includes('$')) out = n;
      else {
        let r: Interpolated;
        try {
          r = interpolateString(n.value, lookup);
        } catch (err) {
          throw new InputError((err as Error).message, n.file, n.line);
        }
        for (const u of r.unresolved) unresolved.push({ ...u, file: n.file, line: n.line });
        if (!r.fromEnv || keeps(place, r.value)) out = { ...n, value: r.value };
        else if (place === 'environment' || place === 'environment-address') {
          const kept = environmentValue(n.value, lookup, place === 'environment-address');
          out = kept === undefined ? n : { ...n, value: kept };
        } else out = n;
      }
    } else if (n.kind === 'seq') {
      const itemPlace = childPlace(place, undefined);
      out = { ...n, items: n.items.map((i) => walk(i, itemPlace)) };
    } else {
      const entries = new Map<string, LEntry>();
      for (const [k, e] of n.entries) entries.set(k, { ...e, value: walk(e.value, childPlace(place, k)) });
      out = { ...n, entries };
    }
    seen.set(n, out);
    return out;
  };
  return walk(root, 'root') as LMap;
}

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\', '"': '"', $: '$' };

/**
 * Parses a `.env` file: comments, `export ` prefixes, single quotes (literal), double quotes
 * (escapes, may span lines) and unquoted values (inline ` #` comments). Double-quoted and
 * unquoted values are interpolated, the process environment first, then earlier lines.
 */
export function parseDotEnv(
  text: string,
  file: string,
  processEnv: Lookup,
  /** Filled with the line each variable is set on, when given. */
  lineOf?: Map<string, number>,
): Record<string, string> {
  const vars: Record<string, string> = {};
  const lookup: Lookup = (n) => processEnv(n) ?? (Object.hasOwn(vars, n) ? vars[n] : undefined);
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = (lines[i] ?? '').trim();
    if (line === '' || line.startsWith('#')) continue;
    const body = line.replace(/^export\s+/, '');
    const eq = body.indexOf('=');
    const key = (eq < 0 ? body : body.slice(0, eq)).trim();
    if (!NAME.test(key) || NAME.exec(key)?.[0] !== key) {
      throw new InputError(`invalid variable name "${key}": expected NAME=value`, file, lineNo);
    }
    if (eq < 0) {
      // A bare `NAME` takes its value from the environment, if any.
      const v = processEnv(key);
      if (v !== undefined) {
        vars[key] = v;
        lineOf?.set(key, lineNo);
      }
      continue;
    }
    let value = body.slice(eq + 1).trimStart();
    const quote = value[0];
    if (quote === "'" || quote === '"') {
      // Quoted values may span lines: read until the closing quote.
      let text = value.slice(1);
      let close = findClose(text, quote);
      while (close < 0 && i + 1 < lines.length) {
        i++;
        text += `\n${lines[i] ?? ''}`;
        close = findClose(text, quote);
      }
      if (close < 0) throw new InputError(`unterminated ${quote} quote`, file, lineNo);
      const inner = text.slice(0, close);
      lineOf?.set(key, lineNo);
      if (quote === "'") vars[key] = inner;
      else {
        const unescaped = inner.replace(/\\(.)/g, (m, c: string) => (c === '$' ? '$$' : (ESCAPES[c] ?? m)));
        vars[key] = interpolateEnvValue(key, unescaped, lookup, file, lineNo);
      }
      continue;
    }
    value = value.replace(/\s+#.*$/, '').trim();
    vars[key] = interpolateEnvValue(key, value, lookup, file, lineNo);
    lineOf?.set(key, lineNo);
  }
  return vars;
}

function findClose(text: string, quote: string): number {
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\' && quote === '"') i++;
    else if (text[i] === quote) return i;
  }
  return -1;
}

function interpolateEnvValue(key: string, value: string, lookup: Lookup, file: string, line: number): string {
  try {
    // An unresolved reference inside .env keeps its text; compose would use "".
    return interpolateString(value, lookup).value;
  } catch (err) {
    // Without the value: what .env holds is secret, and this message goes to stderr.
    const what = (err as Error).message.startsWith('variable references nested')
      ? (err as Error).message
      : 'a malformed ${...} reference (write $$ for a literal $)';
    throw new InputError(`the value of ${key} has ${what}`, file, line);
  }
}
