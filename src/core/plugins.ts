import { existsSync, readFileSync, statSync } from 'node:fs';
import { register } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BUNDLED, bundleFile } from '../layout.js';
import { childProcess } from './builtins.js';
import {
  buildRegistry,
  type LoadedPlugin,
  type PluginOrigin,
  PluginError,
  type Registry,
  validatePlugin,
} from './registry.js';

/** One plugin the user named: in the config's `plugins:` or with `--plugin`. */
export interface PluginRequest extends PluginOrigin {
  /** A relative path is resolved from here: the config file's directory, or the working directory. */
  baseDir: string;
  /** Installed packages are looked up in the node_modules of these directories and their parents. */
  searchDirs: readonly string[];
}

const PACKAGE_NAME = /^(@[a-z0-9][a-z0-9._~-]*\/)?strisk-plugin-[a-z0-9][a-z0-9._~-]*$/;

const isPath = (spec: string) => spec.startsWith('.') || isAbsolute(spec) || spec.startsWith('~');

/** The module file of a package directory: `exports` (`.`: import/default), else `main`, else index.js. */
function packageEntry(dir: string): string | undefined {
  const manifest = join(dir, 'package.json');
  if (!existsSync(manifest)) {
    return ['index.js', 'index.mjs'].map((f) => join(dir, f)).find((f) => existsSync(f));
  }
  let pkg: { exports?: unknown; main?: unknown };
  try {
    pkg = JSON.parse(readFileSync(manifest, 'utf8'));
  } catch (err) {
    throw new Error(`${manifest} is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  const pick = (e: unknown): string | undefined => {
    if (typeof e === 'string') return e;
    if (typeof e !== 'object' || e === null) return undefined;
    const o = e as Record<string, unknown>;
    return pick(o['.']) ?? pick(o.import) ?? pick(o.node) ?? pick(o.default);
  };
  const entry = pick(pkg.exports) ?? (typeof pkg.main === 'string' ? pkg.main : 'index.js');
  return join(dir, entry);
}

/** The file to import for a request, or a PluginError saying where it was looked for. */
export function resolvePlugin(req: PluginRequest): string {
  const spec = req.label;
  if (isPath(spec)) {
    const path = resolve(req.baseDir, spec);
    if (!existsSync(path)) throw new PluginError(req, `not found (${path})`);
    if (!statSync(path).isDirectory()) return path;
    let entry: string | undefined;
    try {
      entry = packageEntry(path);
    } catch (err) {
      throw new PluginError(req, err instanceof Error ? err.message : String(err));
    }
    if (!entry || !existsSync(entry))
      throw new PluginError(req, `no module to load in ${path} (package.json "exports"/"main", or index.js)`);
    return entry;
  }
  if (!PACKAGE_NAME.test(spec))
    throw new PluginError(
      req,
      'is neither a path (start it with ./ or /) nor a package named strisk-plugin-* or @scope/strisk-plugin-*',
    );
  const looked: string[] = [];
  for (const start of new Set(req.searchDirs)) {
    for (let dir = resolve(start); ; dir = dirname(dir)) {
      const candidate = join(dir, 'node_modules', spec);
      if (existsSync(join(candidate, 'package.json'))) {
        const entry = packageEntry(candidate);
        if (!entry || !existsSync(entry))
          throw new PluginError(req, `package ${candidate} has no module to load ("exports"/"main")`);
        return entry;
      }
      if (dirname(dir) === dir) break;
    }
    looked.push(resolve(start));
  }
  throw new PluginError(
    req,
    `is not installed (no node_modules/${spec} from ${looked.join(' or ')}); npm i -D ${spec}`,
  );
}

let hooked = false;

/**
 * A plugin's `import ... from 'strisk/api'` (and `strisk/testing`) resolves to the strisk that runs
 * it, wherever the plugin lives: a rules file in the audited project needs no node_modules, and an
 * installed plugin cannot pick up a second copy of strisk (and of zod) from its own dependencies.
 */
function hookStriskImports(): void {
  if (hooked) return;
  hooked = true;
  // In the bundle, its own entries: the modules the bundled CLI runs with, not dist/'s copies.
  const own = (bundled: string, built: string) =>
    BUNDLED ? bundleFile(bundled) : new URL(built, import.meta.url);
  register(own('plugin-hooks.js', './plugin-hooks.js'), import.meta.url, {
    data: {
      api: own('api.js', '../api/index.js').href,
      testing: own('testing.js', '../testing/index.js').href,
    },
  });
}

function loadError(err: unknown, file: string): string {
  if (!(err instanceof Error)) return `cannot load ${file}: ${String(err)}`;
  const message = err.message.split('\n')[0];
  return `cannot load ${err.name === 'SyntaxError' ? syntaxErrorAt(file) : file}: ${err.name}: ${message}`;
}

/**
 * Where a syntax error is: Node's ESM loader keeps the position out of the error, so the module is
 * compiled once more by `node --check` (on this failure path only) for its `file:line`.
 */
function syntaxErrorAt(file: string): string {
  const { spawnSync } = childProcess();
  const r = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8', timeout: 10_000 });
  const at = /^(?:file:\/\/)?(\/.*:\d+)$/m.exec(r.stderr ?? '')?.[1];
  return at ?? file;
}

/**
 * import(), or in the bundle bin/strisk.js's: the bundle runs as a script compiled from V8's code
 * cache, which cannot import an ES module itself.
 */
function importModule(url: string): Promise<unknown> {
  const lent = (globalThis as Record<symbol, unknown>)[Symbol.for('strisk.import')];
  return typeof lent === 'function' ? (lent as (u: string) => Promise<unknown>)(url) : import(url);
}

async function importPlugin(req: PluginRequest): Promise<unknown> {
  const file = resolvePlugin(req);
  hookStriskImports();
  try {
    const mod = (await importModule(pathToFileURL(file).href)) as { default?: unknown };
    return mod.default;
  } catch (err) {
    throw new PluginError(req, loadError(err, file));
  }
}

/**
 * Loads the built-ins and every plugin requested, in order, through one validation: a plugin that
 * cannot be used stops the run here (exit 2), before anything is collected.
 */
export async function loadRegistry(requests: readonly PluginRequest[] = []): Promise<Registry> {
  const taken = new Map<string, string>();
  const { default: builtins } = await import('../checks/index.js');
  const plugins: LoadedPlugin[] = [validatePlugin(builtins, { label: 'strisk (built-in)' }, taken, true)];
  const seen = new Set<string>();
  for (const req of requests) {
    const key = isPath(req.label) ? resolve(req.baseDir, req.label) : req.label;
    if (seen.has(key)) continue; // the same plugin from the config and a flag
    seen.add(key);
    plugins.push(validatePlugin(await importPlugin(req), req, taken));
  }
  return buildRegistry(plugins);
}
