// The app collector: a FastAPI project's Python source (tree-sitter), dependency manifests and
// server command. One syntax error makes that file an `errors` entry, never the whole run.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { TargetFacts } from '../../core/facts.js';
import { readLocalFile } from '../../core/local-file.js';
import type { CollectContext, TargetSpec } from '../types.js';
import { parsePipfileLock, parsePyproject, parseRequirements, parseTomlLock } from './deps.js';
import { extractModule } from './extract.js';
import { type ModuleInfo, readModule } from './module.js';
import { firstSyntaxError, parsePython } from './parser.js';
import { Project } from './project.js';
import { type AppFacts, AppFactsSchema, type ServerCommand } from './schema.js';
import { serverCommandsIn } from './servers.js';

export interface AppOptions {
  /** Paths in facts are relative to this directory (default: `dir`). */
  projectDir?: string;
  /** Environment for compose interpolation (default: none, so results do not depend on the shell). */
  env?: Record<string, string | undefined>;
}

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
  '.tox',
  '.mypy_cache',
]);
const MAX_FILES = 2000;
const MAX_FILE_BYTES = 1024 * 1024;

async function walk(dir: string, found: string[], depth = 0): Promise<void> {
  if (depth > 8 || found.length >= MAX_FILES) return;
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, e.name);
    if (e.isDirectory() && !SKIPPED_DIRS.has(e.name) && !e.name.startsWith('.'))
      await walk(full, found, depth + 1);
    else if (e.isFile()) found.push(full);
  }
}

const rel = (root: string, full: string) => path.relative(root, full).split(path.sep).join('/') || '.';

const isManifestName = (name: string) =>
  /^requirements.*\.(txt|in)$/.test(name) ||
  ['pyproject.toml', 'poetry.lock', 'uv.lock', 'Pipfile.lock'].includes(name);

/** Reads a manifest when its name is one we know. */
function dependenciesOf(file: string, text: string) {
  const base = file.split('/').at(-1)!;
  if (/^requirements.*\.(txt|in)$/.test(base) || /\/requirements\/.*\.txt$/.test(file))
    return parseRequirements(file, text);
  if (base === 'pyproject.toml') return parsePyproject(file, text);
  if (base === 'poetry.lock' || base === 'uv.lock') return parseTomlLock(file, text);
  if (base === 'Pipfile.lock') return parsePipfileLock(file, text);
  return undefined;
}

export async function collectApp(dir: string, opts: AppOptions = {}): Promise<AppFacts> {
  const absDir = path.resolve(dir);
  const root = path.resolve(opts.projectDir ?? dir);
  const all: string[] = [];
  await walk(absDir, all);
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
  const modules: ModuleInfo[] = [];
  for (const full of all) {
    const file = rel(root, full);
    // Found, not named by the user: a file over the limit, a FIFO or a device is passed over.
    const text = await readLocalFile(full, { what: 'file', maxBytes: MAX_FILE_BYTES }).catch(() => undefined);
    if (text === undefined) continue;
    if (full.endsWith('.py')) {
      const tree = await parsePython(text);
      const error = firstSyntaxError(tree);
      facts.files.push(file);
      if (error) facts.errors.push({ file, ...error });
      else modules.push(readModule(file, tree));
      continue;
    }
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
  const servers: ServerCommand[] = await serverCommandsIn(absDir, root, opts.env ?? {}, facts);
  facts.servers.push(...servers);
  for (const m of modules) m.tree.delete();
  return AppFactsSchema.parse(facts);
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
    const data = await collectApp(dir, { projectDir: inside ? ctx.projectDir : dir });
    // No Python source read is an unknown: the app checks must not pass on an empty directory.
    if (data.files.length === 0)
      return done({ status: 'invalid', message: `${target.url}: no Python file found` });
    return done({ status: 'ok', data });
  } catch (err) {
    return done({ status: 'error', message: err instanceof Error ? err.message : String(err) });
  }
}
