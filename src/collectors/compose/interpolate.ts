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
}

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
      if (end < 0) throw new Error(`unterminated variable reference in "${s}"`);
      const raw = s.slice(i, end);
      const r = braced(raw.slice(2, -1), raw, lookup, depth);
      out += r.value;
      unresolved.push(...r.unresolved);
      i = end;
    } else if (next !== undefined && NAME_START.test(next)) {
      const name = NAME.exec(s.slice(i + 1))?.[0] ?? '';
      const v = lookup(name);
      if (v === undefined) {
        unresolved.push({ variable: name });
        out += `$${name}`;
      } else out += v;
      i += 1 + name.length;
    } else {
      // A lone `$` (end of string, `$1`): kept literally.
      out += '$';
      i++;
    }
  }
  return { value: out, unresolved };
}

function braced(body: string, raw: string, lookup: Lookup, depth: number): Interpolated {
  const name = NAME.exec(body)?.[0];
  if (!name) throw new Error(`invalid variable reference ${raw}: expected a name like \${VAR}`);
  const rest = body.slice(name.length);
  const value = lookup(name);
  const empty = value === undefined || value === '';
  if (rest === '') {
    return value === undefined ? { value: raw, unresolved: [{ variable: name }] } : { value, unresolved: [] };
  }
  const op = /^(:-|-|:\?|\?|:\+|\+)/.exec(rest)?.[0];
  if (!op) throw new Error(`invalid variable reference ${raw}: unknown operator after ${name}`);
  const arg = rest.slice(op.length);
  switch (op) {
    case ':-':
      return empty ? interpolateString(arg, lookup, depth + 1) : { value: value ?? '', unresolved: [] };
    case '-':
      return value === undefined ? interpolateString(arg, lookup, depth + 1) : { value, unresolved: [] };
    case ':?':
    case '?': {
      const missing = op === ':?' ? empty : value === undefined;
      if (!missing) return { value: value ?? '', unresolved: [] };
      const msg = interpolateString(arg, lookup, depth + 1).value;
      return {
        value: raw,
        unresolved: [{ variable: name, message: msg || `required variable ${name} is missing a value` }],
      };
    }
    default: {
      const set = op === ':+' ? !empty : value !== undefined;
      return set ? interpolateString(arg, lookup, depth + 1) : { value: '', unresolved: [] };
    }
  }
}

export interface UnresolvedAt extends UnresolvedRef {
  file: string;
  line: number;
}

/**
 * Interpolates every string scalar of a tree (keys are left alone, as compose does). Shared
 * subtrees (aliases) are interpolated once, so each written reference is reported once.
 */
export function interpolateTree(root: LMap, lookup: Lookup, unresolved: UnresolvedAt[]): LMap {
  const memo = new Map<LNode, LNode>();
  const walk = (n: LNode): LNode => {
    const done = memo.get(n);
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
        out = { ...n, value: r.value };
      }
    } else if (n.kind === 'seq') {
      out = { ...n, items: n.items.map(walk) };
    } else {
      const entries = new Map<string, LEntry>();
      for (const [k, e] of n.entries) entries.set(k, { ...e, value: walk(e.value) });
      out = { ...n, entries };
    }
    memo.set(n, out);
    return out;
  };
  return walk(root) as LMap;
}

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\', '"': '"', $: '$' };

/**
 * Parses a `.env` file: comments, `export ` prefixes, single quotes (literal), double quotes
 * (escapes, may span lines) and unquoted values (inline ` #` comments). Double-quoted and
 * unquoted values are interpolated, the process environment first, then earlier lines.
 */
export function parseDotEnv(text: string, file: string, processEnv: Lookup): Record<string, string> {
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
      if (v !== undefined) vars[key] = v;
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
      if (quote === "'") vars[key] = inner;
      else {
        const unescaped = inner.replace(/\\(.)/g, (m, c: string) => (c === '$' ? '$$' : (ESCAPES[c] ?? m)));
        vars[key] = interpolateEnvValue(unescaped, lookup, file, lineNo);
      }
      continue;
    }
    value = value.replace(/\s+#.*$/, '').trim();
    vars[key] = interpolateEnvValue(value, lookup, file, lineNo);
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

function interpolateEnvValue(value: string, lookup: Lookup, file: string, line: number): string {
  try {
    // An unresolved reference inside .env keeps its text; compose would use "".
    return interpolateString(value, lookup).value;
  } catch (err) {
    throw new InputError((err as Error).message, file, line);
  }
}
