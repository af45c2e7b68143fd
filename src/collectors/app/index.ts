// The app collector: a FastAPI project's Python source (tree-sitter), dependency manifests and
// server command. One syntax error makes that file an `errors` entry, never the whole run.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { TargetFacts } from '../../core/facts.js';
import { maxFileBytes } from '../../core/local-file.js';
import { conformsTo } from '../conforms.js';
import { type InlineIgnore, readInlineIgnores, scanInlineIgnores } from '../inline-scan.js';
import type { CollectContext, TargetSpec } from '../types.js';
import { parsePipfileLock, parsePyproject, parseRequirements, parseTomlLock } from './deps.js';
import { extractModule } from './extract.js';
import { type ModuleInfo, moduleNameOf, readModule } from './module.js';
import { Project } from './project.js';
import type { AppFacts, ServerCommand } from './schema.js';
import { fileServerCommands, withPythonCalls } from './servers.js';
import { defaultWorkers, parseSources, readSourceFile } from './source.js';

export { readSourceFile };

export interface AppOptions {
  /** Paths in facts are relative to this directory (default: `dir`). */
  projectDir?: string;
  /** Environment for compose interpolation (default: none, so results do not depend on the shell). */
  env?: Record<string, string | undefined>;
  /** Worker threads that read and parse the Python files (default: see defaultWorkers; 0: this thread). */
  workers?: number;
}

/** Directories that hold no app code: environments, caches, build output, tests, migrations. */
const SKIPPED_DIRS = new Set([
  'node_modules',
  '.git',
  '.venv',
  'venv',
  'env',
  '__pycache__',
  'site-packages',
  'dist',
  'build',
  'tests',
  'test',
  'testing',
  '.tox',
  '.mypy_cache',
  'migrations',
]);
const MAX_FILES = 5000;

/**
 * The files under `dir`, sorted, one `readdir` per directory. A virtualenv of any name
 * (`pyvenv.cfg`) and an Alembic directory (`env.py` beside `versions/`) are skipped whole.
 */
async function walk(dir: string, found: string[], depth = 0): Promise<boolean> {
  if (depth > 12) return true;
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const names = new Set(entries.map((e) => e.name));
  if (depth > 0 && (names.has('pyvenv.cfg') || (names.has('env.py') && names.has('versions')))) return true;
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (found.length >= MAX_FILES) return false;
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIPPED_DIRS.has(e.name) && !e.name.startsWith('.') && !(await walk(full, found, depth + 1)))
        return false;
    } else if (
      e.isFile() &&
      (e.name.endsWith('.py') ||
        isManifestName(e.name) ||
        (e.name.endsWith('.txt') && path.basename(dir) === 'requirements'))
    )
      found.push(full);
  }
  return true;
}

/** Reads files a few at a time (the disk answers faster than one await per file), in order. */
async function readAll(files: string[]): Promise<(string | undefined)[]> {
  const out: (string | undefined)[] = new Array(files.length);
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const i = next++;
      out[i] = await readSourceFile(files[i]!);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return out;
}

const rel = (root: string, full: string) => path.relative(root, full).split(path.sep).join('/') || '.';

const isManifestName = (name: string) =>
  /^requirements.*\.(txt|in)$/.test(name) ||
  ['pyproject.toml', 'poetry.lock', 'uv.lock', 'Pipfile.lock'].includes(name);

/** Reads a manifest when its name is one we know (with `probe`, only says whether it is one). */
function dependenciesOf(file: string, text: string, probe = false) {
  const base = file.split(/[/\\]/).at(-1)!;
  const known =
    /^requirements.*\.(txt|in)$/.test(base) ||
    /[/\\]requirements[/\\].*\.txt$/.test(file) ||
    ['pyproject.toml', 'poetry.lock', 'uv.lock', 'Pipfile.lock'].includes(base);
  if (probe) return known ? [] : undefined;
  if (/^requirements.*\.(txt|in)$/.test(base) || /\/requirements\/.*\.txt$/.test(file))
    return parseRequirements(file, text);
  if (base === 'pyproject.toml') return parsePyproject(file, text);
  if (base === 'poetry.lock' || base === 'uv.lock') return parseTomlLock(file, text);
  if (base === 'Pipfile.lock') return parsePipfileLock(file, text);
  return undefined;
}

export async function collectApp(dir: string, opts: AppOptions = {}): Promise<AppFacts> {
  return (await collectAppAndIgnores(dir, opts)).facts;
}

/**
 * The size limit a file read for its inline comments is under (as readInlineIgnores reads it),
 * or undefined when the limit set in the environment is not a size (every such read fails).
 */
function ignoresLimit(): number | undefined {
  try {
    return maxFileBytes();
  } catch {
    return undefined;
  }
}

/**
 * The facts and the `# strisk-ignore` comments of the Python files read (in the order of
 * `facts.files`), scanned from the text the collector read instead of reading every file again.
 * A file whose text might be over the limit readInlineIgnores reads under (UTF-8 takes at most 3
 * bytes per UTF-16 unit of the text) is read again as readInlineIgnores would.
 */
async function collectAppAndIgnores(
  dir: string,
  opts: AppOptions = {},
): Promise<{ facts: AppFacts; ignores: () => Promise<InlineIgnore[]> }> {
  const absDir = path.resolve(dir);
  const root = path.resolve(opts.projectDir ?? dir);
  const all: string[] = [];
  const complete = await walk(absDir, all);
  // Dependency manifests usually sit beside the package, not in it (requirements.txt next to app/):
  // read the ones in each parent directory up to the project root as well.
  for (let d = absDir; d !== root && d.startsWith(`${root}${path.sep}`); ) {
    d = path.dirname(d);
    const names = await readdir(d).catch(() => [] as string[]);
    for (const name of names.sort()) {
      if (isManifestName(name)) all.push(path.join(d, name));
    }
  }
  const facts: AppFacts = {
    dir,
    files: [],
    errors: [],
    apps: [],
    routes: [],
    middleware: [],
    imports: [],
    classes: [],
    calls: [],
    loggingDicts: [],
    settings: [],
    dependencies: [],
    manifests: [],
    servers: [],
  };
  if (!complete)
    facts.errors.push({
      file: rel(root, absDir),
      line: 1,
      message: `more than ${MAX_FILES} files: the rest were not read; point the app source at the package that holds the FastAPI app`,
    });
  // Module names are what `import` says: relative to the directory that holds the top package
  // (`src/dispatch/config.py` is `dispatch.config` when the app source is `src/dispatch`).
  const packageRoot = all.includes(path.join(absDir, '__init__.py')) ? path.dirname(absDir) : absDir;
  const wanted = all.filter((f) => f.endsWith('.py') || dependenciesOf(f, '', true));
  const python = wanted.filter((f) => f.endsWith('.py'));
  const manifests = wanted.filter((f) => !f.endsWith('.py'));
  const limit = ignoresLimit();
  const ignored: (InlineIgnore[] | string)[] = [];
  // Each module's top level is read as it arrives, while the workers parse the rest.
  const parsing = Promise.all([
    parseSources(python, opts.workers ?? defaultWorkers(python.length), (source, i) => {
      if (source.text === undefined) return undefined;
      const full = python[i]!;
      const file = rel(root, full);
      const ignores: InlineIgnore[] | string =
        limit !== undefined && source.text.length * 3 <= limit ? scanInlineIgnores(file, source.text) : file;
      if ('error' in source) return { file, ignores, error: source.error };
      return { file, ignores, module: readModule(file, source.tree, moduleNameOf(rel(packageRoot, full))) };
    }),
    readAll(manifests),
  ]);
  // The server commands of Dockerfiles, compose files, Procfiles and gunicorn configs need no
  // Python facts: read meanwhile (their parsers load while the workers start). A failure waits
  // for its turn below.
  const fileServers = fileServerCommands(absDir, root, opts.env ?? {});
  fileServers.catch(() => {});
  // The facts' schema (zod, a tenth of a second to load) is needed only for the check at the end.
  const schema = import('./schema.js');
  schema.catch(() => {});
  const [sources, manifestTexts] = await parsing;
  const modules: ModuleInfo[] = [];
  let [pi, mi] = [0, 0];
  for (const full of wanted) {
    if (full.endsWith('.py')) {
      const source = sources[pi++];
      if (!source) continue;
      facts.files.push(source.file);
      ignored.push(source.ignores);
      if (source.error) facts.errors.push({ file: source.file, ...source.error });
      else if (source.module) modules.push(source.module);
      continue;
    }
    const file = rel(root, full);
    const text = manifestTexts[mi++];
    if (text === undefined) continue;
    try {
      const deps = dependenciesOf(file, text);
      if (deps) {
        facts.manifests.push(file);
        facts.dependencies.push(...deps);
      }
    } catch (err) {
      facts.errors.push({
        file,
        line: 1,
        message: `unreadable manifest: ${err instanceof Error ? err.message : String(err)}`,
      });
    }
  }
  const project = new Project(modules);
  for (const mod of modules) {
    const x = extractModule(mod, project);
    for (const key of [
      'apps',
      'routes',
      'middleware',
      'imports',
      'classes',
      'calls',
      'loggingDicts',
      'settings',
    ] as const) {
      (facts[key] as unknown[]).push(...x[key]);
    }
  }
  const servers: ServerCommand[] = withPythonCalls(await fileServers, root, facts);
  facts.servers.push(...servers);
  // Built here, so only checked (read-only); zod parses it only if it is not what the parse would give.
  const { AppFactsSchema } = await schema;
  return {
    facts: conformsTo(AppFactsSchema, facts) ? facts : AppFactsSchema.parse(facts),
    ignores: async () =>
      (
        await Promise.all(
          ignored.map((found) => (typeof found === 'string' ? readInlineIgnores(root, [found]) : found)),
        )
      ).flat(),
  };
}

/** The `app` source: target.url is the app directory, relative to the project dir. */
export async function collect(target: TargetSpec, ctx: CollectContext): Promise<TargetFacts<AppFacts>> {
  const started = performance.now();
  const dir = path.resolve(ctx.projectDir, target.url);
  const name = target.name ?? target.url;
  const done = (t: Omit<TargetFacts<AppFacts>, 'target' | 'durationMs'>): TargetFacts<AppFacts> => ({
    target: name,
    durationMs: Math.round(performance.now() - started),
    ...t,
  });
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) return done({ status: 'invalid', message: `${target.url}: not a directory` });
  try {
    const inside = !path.relative(ctx.projectDir, dir).startsWith('..');
    const root = inside ? ctx.projectDir : dir;
    const { facts: data, ignores: ignoresOf } = await collectAppAndIgnores(dir, { projectDir: root });
    // Inline `# strisk-ignore` comments: a pass over the raw lines, apart from the parser.
    const ignores = await ignoresOf();
    if (ignores.length > 0) data.ignores = ignores;
    // No Python source read is an unknown: the app checks must not pass on an empty directory.
    if (data.files.length === 0)
      return done({ status: 'invalid', message: `${target.url}: no Python file found` });
    return done({ status: 'ok', data });
  } catch (err) {
    return done({ status: 'error', message: err instanceof Error ? err.message : String(err) });
  }
}
