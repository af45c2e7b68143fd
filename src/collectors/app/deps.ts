// Dependencies from requirements*.txt, pyproject.toml (PEP 621 and Poetry) and lock files
// (poetry.lock, uv.lock, Pipfile.lock). Only the parts of TOML these files use are read.
import type { Dependency } from './schema.js';

export const normalizeName = (name: string): string =>
  name
    .trim()
    .toLowerCase()
    .replace(/[-_.]+/g, '-');

/** `uvicorn[standard]==0.29.0 ; python_version>"3"` → name, extras, spec. */
export function parseRequirement(text: string): Omit<Dependency, 'file' | 'line' | 'group'> | undefined {
  const m = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?\s*(.*)$/.exec(text.split(';')[0]!);
  if (!m) return undefined;
  const extras = (m[2] ?? '')
    .split(',')
    .map((e) => normalizeName(e))
    .filter(Boolean);
  return { name: normalizeName(m[1]!), extras, spec: m[3]!.trim() };
}

export function parseRequirements(file: string, text: string): Dependency[] {
  const base = file.split('/').at(-1)!;
  const group = /dev|test|lint/i.test(base) ? 'dev' : 'main';
  const out: Dependency[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\s+#.*$/, '').trim();
    if (!line || line.startsWith('#') || line.startsWith('-')) return;
    const req = parseRequirement(line);
    if (req) out.push({ ...req, file, line: i + 1, group });
  });
  return out;
}

interface TomlEntry {
  table: string;
  key: string;
  /** Strings found in the value (array items, or the string itself); inline tables give `{...}` raw. */
  strings: string[];
  raw: string;
  line: number;
}

/** Key/value entries of a TOML file with the table each is in; multi-line arrays joined. */
export function tomlEntries(text: string): TomlEntry[] {
  const lines = text.split('\n');
  const out: TomlEntry[] = [];
  let table = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/^\s+/, '');
    if (!line || line.startsWith('#')) continue;
    const header = /^\[\[?\s*([^\]]+?)\s*\]\]?/.exec(line);
    if (header) {
      table = header[1]!.replace(/"/g, '');
      continue;
    }
    const kv = /^("[^"]+"|'[^']+'|[A-Za-z0-9_.-]+)\s*=\s*(.*)$/.exec(line);
    if (!kv) continue;
    const start = i;
    let raw = kv[2]!;
    let depth = bracketDepth(raw);
    // Line by line (a lock's `wheels = [...]` runs to hundreds of lines: counting the whole value
    // again at each line was quadratic). TOML strings other than """ ones do not span lines.
    while (depth > 0 && i + 1 < lines.length) {
      i++;
      raw += `\n${lines[i]}`;
      depth += bracketDepth(lines[i]!);
    }
    const strings = [...raw.replace(/#[^\n"']*$/gm, '').matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'/g)].map(
      (m) => m[1] ?? m[2] ?? '',
    );
    out.push({ table, key: kv[1]!.replace(/^["']|["']$/g, ''), strings, raw: raw.trim(), line: start + 1 });
  }
  return out;
}

function bracketDepth(s: string): number {
  const clean = s.replace(/"(?:[^"\\]|\\.)*"|'[^']*'/g, '').replace(/#.*$/gm, '');
  return (clean.match(/[[{]/g)?.length ?? 0) - (clean.match(/[\]}]/g)?.length ?? 0);
}

export function parsePyproject(file: string, text: string): Dependency[] {
  const out: Dependency[] = [];
  const push = (spec: string, line: number, group: string) => {
    const req = parseRequirement(spec);
    if (req) out.push({ ...req, file, line, group });
  };
  for (const e of tomlEntries(text)) {
    if (e.table === 'project' && e.key === 'dependencies') {
      for (const s of e.strings) push(s, e.line, 'main');
    } else if (e.table === 'project.optional-dependencies' || e.table === 'dependency-groups') {
      for (const s of e.strings) push(s, e.line, e.key);
    } else if (e.table === 'tool.uv' && e.key === 'dev-dependencies') {
      for (const s of e.strings) push(s, e.line, 'dev');
    } else {
      const poetry = /^tool\.poetry\.(dependencies|dev-dependencies|group\.([^.]+)\.dependencies)$/.exec(
        e.table,
      );
      if (!poetry || e.key === 'python') continue;
      const group = poetry[1] === 'dependencies' ? 'main' : (poetry[2] ?? 'dev');
      const extras = /extras\s*=\s*\[([^\]]*)\]/.exec(e.raw)?.[1]?.match(/[A-Za-z0-9_-]+/g) ?? [];
      const version = e.raw.startsWith('{')
        ? (/version\s*=\s*"([^"]*)"/.exec(e.raw)?.[1] ?? '')
        : (e.strings[0] ?? '');
      out.push({
        name: normalizeName(e.key),
        extras: extras.map(normalizeName),
        spec: version,
        file,
        line: e.line,
        group,
      });
    }
  }
  return out;
}

/** poetry.lock / uv.lock: `[[package]] name = "x" version = "1.2"`. */
export function parseTomlLock(file: string, text: string): Dependency[] {
  const out: Dependency[] = [];
  let current: Dependency | undefined;
  for (const e of tomlEntries(text)) {
    if (e.table !== 'package') continue;
    if (e.key === 'name') {
      current = {
        name: normalizeName(e.strings[0] ?? ''),
        spec: '',
        extras: [],
        file,
        line: e.line,
        group: 'lock',
      };
      out.push(current);
    } else if (e.key === 'version' && current && !current.spec) current.spec = `==${e.strings[0] ?? ''}`;
  }
  return out;
}

export function parsePipfileLock(file: string, text: string): Dependency[] {
  const json = JSON.parse(text) as Record<string, Record<string, { version?: string }>>;
  const lines = text.split('\n');
  return ['default', 'develop'].flatMap((section) =>
    Object.entries(json[section] ?? {}).map(([name, v]) => ({
      name: normalizeName(name),
      spec: v.version ?? '',
      extras: [],
      file,
      line: Math.max(1, lines.findIndex((l) => l.includes(`"${name}"`)) + 1),
      group: section === 'default' ? 'lock' : 'dev',
    })),
  );
}
