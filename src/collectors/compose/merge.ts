// Merging compose models (several `-f` files, `extends`) by compose's rules: maps key by key,
// later wins; some sequences are merged by key, some replaced, the rest appended.
import type { LEntry, LMap, LNode, LScalar, LSeq } from './yaml-located.js';

type Rule = 'replace' | 'toMap' | 'byTarget' | 'unique' | 'logging' | 'build';

/** Paths relative to a service. */
const SERVICE_RULES: Record<string, Rule> = {
  command: 'replace',
  entrypoint: 'replace',
  'healthcheck.test': 'replace',
  environment: 'toMap',
  labels: 'toMap',
  annotations: 'toMap',
  sysctls: 'toMap',
  depends_on: 'toMap',
  networks: 'toMap',
  'build.args': 'toMap',
  'build.labels': 'toMap',
  'deploy.labels': 'toMap',
  volumes: 'byTarget',
  devices: 'byTarget',
  secrets: 'byTarget',
  configs: 'byTarget',
  ports: 'unique',
  expose: 'unique',
  dns: 'unique',
  dns_search: 'unique',
  dns_opt: 'unique',
  env_file: 'unique',
  tmpfs: 'unique',
  cap_add: 'unique',
  cap_drop: 'unique',
  security_opt: 'unique',
  extra_hosts: 'unique',
  profiles: 'unique',
  logging: 'logging',
  build: 'build',
};

function sizeOfEntries(entries: Map<string, LEntry>): number {
  let size = 1;
  for (const e of entries.values()) size += e.value.size;
  return size;
}

function makeMap(like: LNode, entries: Map<string, LEntry>): LMap {
  return { kind: 'map', file: like.file, line: like.line, size: sizeOfEntries(entries), entries };
}

function makeSeq(like: LNode, items: LNode[]): LSeq {
  return {
    kind: 'seq',
    file: like.file,
    line: like.line,
    size: items.reduce((a, i) => a + i.size, 1),
    items,
  };
}

function nullAt(n: LNode): LScalar {
  return { kind: 'scalar', file: n.file, line: n.line, size: 1, value: null };
}

/**
 * The map form of `environment`, `labels`, `depends_on`, `networks`...: list items `K=V` become
 * `K: V`, bare items `K` become `K: null`. Items keep their own lines.
 */
export function toMapForm(n: LNode): LNode {
  if (n.kind !== 'seq') return n;
  const entries = new Map<string, LEntry>();
  for (const item of n.items) {
    if (item.kind !== 'scalar' || item.value === null) continue;
    const text = String(item.value);
    const eq = text.indexOf('=');
    const key = eq < 0 ? text : text.slice(0, eq);
    const value: LScalar = eq < 0 ? nullAt(item) : { ...nullAt(item), value: text.slice(eq + 1) };
    entries.set(key, { key, file: item.file, line: item.line, value });
  }
  return makeMap(n, entries);
}

/** The target path of a volume / device / secret entry, short or long syntax. */
export function mountKey(n: LNode): string {
  if (n.kind === 'map') {
    const t = n.entries.get('target')?.value ?? n.entries.get('source')?.value;
    return t?.kind === 'scalar' ? String(t.value) : JSON.stringify(plain(n));
  }
  if (n.kind !== 'scalar') return JSON.stringify(plain(n));
  const parts = splitShortVolume(String(n.value));
  return parts.target;
}

/** `src:dst:mode` with Windows drive letters (`C:\data:/data`) kept in the source. */
export function splitShortVolume(text: string): { source?: string; target: string; mode?: string } {
  const drive = /^[A-Za-z]:[\\/]/.test(text) ? 2 : 0;
  const first = text.indexOf(':', drive);
  if (first < 0) return { target: text };
  const source = text.slice(0, first);
  const rest = text.slice(first + 1);
  const second = rest.indexOf(':');
  return second < 0
    ? { source, target: rest }
    : { source, target: rest.slice(0, second), mode: rest.slice(second + 1) };
}

function plain(n: LNode): unknown {
  if (n.kind === 'scalar') return n.value;
  if (n.kind === 'seq') return n.items.map(plain);
  return Object.fromEntries([...n.entries].map(([k, e]) => [k, plain(e.value)]));
}

/** Appends, then keeps one item per key: the later one, at the earlier one's position. */
function mergeKeyed(base: LSeq, over: LSeq, keyOf: (n: LNode) => string): LSeq {
  const byKey = new Map<string, LNode>();
  for (const item of [...base.items, ...over.items]) byKey.set(keyOf(item), item);
  return makeSeq(over, [...byKey.values()]);
}

function asSeq(n: LNode): LSeq {
  return n.kind === 'seq' ? n : makeSeq(n, n.kind === 'scalar' && n.value === null ? [] : [n]);
}

function mergeLogging(base: LNode, over: LNode): LNode {
  if (base.kind !== 'map' || over.kind !== 'map') return over;
  const driverOf = (m: LMap) => {
    const d = m.entries.get('driver')?.value;
    return d?.kind === 'scalar' && d.value !== null ? String(d.value) : undefined;
  };
  const b = driverOf(base);
  const o = driverOf(over);
  // A different driver makes the base's options meaningless: replace the whole block.
  if (b && o && b !== o) return over;
  return mergeMaps(base, over, 'logging', SERVICE_RULES);
}

function ruleFor(path: string, rules: Record<string, Rule>): Rule | undefined {
  return rules[path];
}

/** Merges two values at `path` (relative to a service when rules = SERVICE_RULES). */
function mergeValue(base: LNode, over: LNode, path: string, rules: Record<string, Rule>): LNode {
  if (over.tag === '!override') return over;
  const rule = ruleFor(path, rules);
  switch (rule) {
    case 'replace':
      return over;
    case 'toMap':
      return mergeValue(toMapForm(base), toMapForm(over), `${path}.*`, {});
    case 'byTarget':
      return mergeKeyed(asSeq(base), asSeq(over), mountKey);
    case 'unique':
      return mergeKeyed(asSeq(base), asSeq(over), (n) => JSON.stringify(plain(n)));
    case 'logging':
      return mergeLogging(base, over);
    case 'build': {
      const norm = (n: LNode): LNode =>
        n.kind === 'scalar' && n.value !== null
          ? makeMap(n, new Map([['context', { key: 'context', file: n.file, line: n.line, value: n }]]))
          : n;
      return mergeMaps(norm(base), norm(over), path, rules);
    }
    default:
      break;
  }
  if (base.kind === 'map' && over.kind === 'map') return mergeMaps(base, over, path, rules);
  if (base.kind === 'seq' && over.kind === 'seq') return makeSeq(over, [...base.items, ...over.items]);
  return over;
}

function mergeMaps(base: LNode, over: LNode, path: string, rules: Record<string, Rule>): LNode {
  if (base.kind !== 'map' || over.kind !== 'map') return over;
  const entries = new Map(base.entries);
  for (const [k, e] of over.entries) {
    if (e.value.tag === '!reset') {
      entries.delete(k);
      continue;
    }
    const prev = entries.get(k);
    const childPath = path ? `${path}.${k}` : k;
    entries.set(k, prev ? { ...e, value: mergeValue(prev.value, e.value, childPath, rules) } : e);
  }
  return makeMap(over, entries);
}

/** Merges one service definition over another (later files, or a service over the one it extends). */
export function mergeService(base: LMap, over: LMap): LMap {
  return mergeMaps(base, over, '', SERVICE_RULES) as LMap;
}

/** Merges two whole compose files: `services` per service, everything else key by key. */
export function mergeModels(base: LMap, over: LMap): LMap {
  const entries = new Map(base.entries);
  for (const [k, e] of over.entries) {
    const prev = entries.get(k);
    if (e.value.tag === '!reset') entries.delete(k);
    else if (!prev) entries.set(k, e);
    else if (k === 'services' && prev.value.kind === 'map' && e.value.kind === 'map') {
      const services = new Map(prev.value.entries);
      for (const [name, s] of e.value.entries) {
        const before = services.get(name);
        if (s.value.tag === '!reset') services.delete(name);
        else if (before && s.value.kind === 'scalar' && s.value.value === null) continue;
        else if (before && before.value.kind === 'map' && s.value.kind === 'map') {
          // The service keeps the line where it was first declared; its values keep their own.
          services.set(name, { ...before, value: mergeService(before.value, s.value) });
        } else services.set(name, s);
      }
      entries.set(k, { ...e, value: makeMap(e.value, services) });
    } else entries.set(k, { ...e, value: mergeValue(prev.value, e.value, k, {}) });
  }
  return makeMap(over, entries);
}
