import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { z } from 'zod';
import { InputError, yamlMessage } from '../core/errors.js';
import { readLocalFileSync } from '../core/local-file.js';
import { type Config, ConfigSchema } from './schema.js';

export { CONFIG_NAMES, findConfig } from './find.js';

const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export interface LoadedConfig {
  file?: string;
  config: Config;
  /** The line of the key at `path` (`['targets', 'redis']`), or of its nearest parent; from the parsed YAML. */
  lineAt?: (path: (string | number)[]) => number | undefined;
}

/** Reads, interpolates `${ENV}` / `${ENV:-default}` and validates a config; bad input is an InputError with the line. */
export function loadConfig(
  file: string,
  env: Record<string, string | undefined> = process.env,
): LoadedConfig {
  // A FIFO or device is refused, and a file over the size limit is not read (exit 2).
  const text = readLocalFileSync(file, { what: 'config', env });
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const lineOf = (offset: number | undefined) =>
    offset === undefined ? undefined : lineCounter.linePos(offset).line;
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new InputError(`invalid YAML: ${yamlMessage(e.message)}`, file, lineOf(e.pos[0]));
  }
  interpolate(doc.contents, env, file, lineOf);
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 1000 }) ?? {};
  } catch (err) {
    // An alias bomb: yaml refuses to expand it (a config has no use for a thousand aliases).
    throw new InputError(`cannot expand the YAML: ${yamlMessage((err as Error).message)}`, file);
  }
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    // Every problem at once, each at its own line, in the order of the file.
    const problems = parsed.error.issues
      .map((issue) => {
        const path = issue.path as (string | number)[];
        const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
        const node =
          keys.length > 0
            ? keyNode(doc.contents, path, keys[0]!)
            : (doc.getIn(path, true) as Node | undefined);
        const where = path.length > 0 ? pathText(path) : 'top level';
        return {
          message: `${where}: ${describeIssue(issue, valueAt(raw, path))}`,
          line: lineOf(node?.range?.[0] ?? nearestRange(doc, path)),
        };
      })
      .sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    const [first, ...more] = problems;
    throw new InputError(first!.message, file, first!.line, more);
  }
  const lineAt = (path: (string | number)[]) => {
    const key = path.length > 0 ? keyNode(doc.contents, path.slice(0, -1), String(path.at(-1))) : undefined;
    return lineOf(key?.range?.[0] ?? nearestRange(doc, path));
  };
  return { file, config: parsed.data, lineAt };
}

/** A config path for people: list items counted from 1, `waivers, item 2, owner`. */
export function pathText(path: readonly (string | number)[]): string {
  return path.map((p) => (typeof p === 'number' ? `item ${p + 1}` : p)).join(', ');
}

function valueAt(raw: unknown, path: readonly (string | number)[]): unknown {
  let v = raw;
  for (const p of path)
    v = v && typeof v === 'object' ? (v as Record<string | number, unknown>)[p] : undefined;
  return v;
}

const KIND: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping (key: value lines)',
  date: 'a date',
};

function kindOf(value: unknown): string {
  if (value === null) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string')
    return `the text "${value.length > 40 ? `${value.slice(0, 37)}...` : value}"`;
  return `${typeof value === 'number' ? 'the number' : typeof value} ${String(value)}`;
}

/** A validator's issue as a sentence: what is wrong and what was expected, never the validator's wording. */
export function describeIssue(issue: z.core.$ZodIssue, value: unknown): string {
  switch (issue.code) {
    case 'unrecognized_keys':
      return `unknown key ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    case 'invalid_type': {
      const expected = KIND[issue.expected] ?? issue.expected;
      return value === undefined
        ? `is missing: give ${expected}`
        : `expected ${expected}, got ${kindOf(value)}`;
    }
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${kindOf(value)}`;
    case 'too_small':
      return issue.origin === 'string' || issue.origin === 'array'
        ? `is too short: at least ${issue.minimum} ${issue.origin === 'string' ? 'characters' : 'items'}`
        : `must be ${issue.inclusive ? 'at least' : 'more than'} ${issue.minimum}, got ${kindOf(value)}`;
    case 'too_big':
      return issue.origin === 'string' || issue.origin === 'array'
        ? `is too long: at most ${issue.maximum} ${issue.origin === 'string' ? 'characters' : 'items'}`
        : `must be ${issue.inclusive ? 'at most' : 'less than'} ${issue.maximum}, got ${kindOf(value)}`;
    case 'invalid_union':
      return `${kindOf(value)} is none of the accepted forms`;
    default:
      return issue.message;
  }
}

function keyNode(root: unknown, path: (string | number)[], key: string): Node | undefined {
  let node = root;
  for (const p of path) {
    if (isMap(node) || isSeq(node)) node = node.get(p, true);
    else return undefined;
  }
  if (!isMap(node)) return undefined;
  const pair = node.items.find((it) => isScalar(it.key) && it.key.value === key);
  return pair?.key as Node | undefined;
}

function nearestRange(doc: ReturnType<typeof parseDocument>, path: (string | number)[]): number | undefined {
  for (let i = path.length - 1; i >= 0; i--) {
    const n = doc.getIn(path.slice(0, i), true) as Node | undefined;
    if (n?.range) return n.range[0];
  }
  return undefined;
}

function interpolate(
  node: unknown,
  env: Record<string, string | undefined>,
  file: string,
  lineOf: (o: number | undefined) => number | undefined,
): void {
  if (isMap(node) || isSeq(node)) {
    for (const item of node.items) {
      if (isScalar(item)) interpolate(item, env, file, lineOf);
      else if (item && typeof item === 'object' && 'value' in item)
        interpolate(item.value, env, file, lineOf);
    }
    return;
  }
  if (isScalar(node) && typeof node.value === 'string' && node.value.includes('${')) {
    node.value = node.value.replace(ENV_REF, (_m, name: string, fallback: string | undefined) => {
      const value = env[name];
      if (value !== undefined && value !== '') return value;
      if (fallback !== undefined) return fallback;
      throw new InputError(
        `environment variable ${name} is not set (use \${${name}:-default})`,
        file,
        lineOf(node.range?.[0]),
      );
    });
  }
}
