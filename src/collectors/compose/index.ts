// The compose collector: the merged compose model as docker compose would see it, with file:line.
import { access } from 'node:fs/promises';
import path from 'node:path';
import type { TargetFacts } from '../../core/facts.js';
import { LocalFileError, maxFileBytes, readLocalFile } from '../../core/local-file.js';
import { conformed } from '../conforms.js';
import { readInlineIgnores } from '../inline-ignores.js';
import { compact, StringPool } from './compact.js';
import { applyEnvFiles } from './env-files.js';
import { type Lookup, parseDotEnv, type UnresolvedAt } from './interpolate.js';
import { displayPath, type LoadContext, loadResolved, loadStreamed, servicesOf } from './load.js';
import { mergeModels } from './merge.js';
import { DEFAULT_FILES, OVERRIDE_FILES } from './names.js';
import { normalizeService } from './normalize.js';
import { type ComposeFacts, ComposeFactsSchema, ComposeServiceSchema } from './schema.js';
import { emptyMap, type LEntry, type LMap } from './yaml-located.js';

export interface ComposeOptions {
  projectDir: string;
  /** `-f` files, in order; relative ones are relative to projectDir. */
  files?: string[];
  /** `--profile`; else COMPOSE_PROFILES. */
  profiles?: string[];
  /** Instead of `<projectDir>/.env`. */
  envFile?: string;
  /** The process environment (default process.env); it wins over the .env file. */
  env?: Record<string, string | undefined>;
  projectName?: string;
}

async function exists(p: string): Promise<boolean> {
  try {
    await access(p);
    return true;
  } catch {
    return false;
  }
}

/**
 * The files docker compose reads in `projectDir` when given no `-f`: the first default file and
 * its override (the one named like it, e.g. `compose.yaml` + `compose.override.yaml`, else the
 * first override compose looks for). Absolute paths; [] when there is none.
 */
export async function findComposeFiles(projectDir: string): Promise<string[]> {
  let main: string | undefined;
  for (const name of DEFAULT_FILES) {
    if (await exists(path.join(projectDir, name))) {
      main = name;
      break;
    }
  }
  if (!main) return [];
  const ext = path.extname(main);
  const matching = `${path.basename(main, ext)}.override${ext}`;
  for (const name of [matching, ...OVERRIDE_FILES]) {
    if (await exists(path.join(projectDir, name)))
      return [path.join(projectDir, main), path.join(projectDir, name)];
  }
  return [path.join(projectDir, main)];
}

async function loadEnv(opts: ComposeOptions, projectDir: string, maxBytes: number): Promise<Lookup> {
  const processEnv = opts.env ?? process.env;
  const fromProcess: Lookup = (n) => (Object.hasOwn(processEnv, n) ? processEnv[n] : undefined);
  const envPath = opts.envFile ? path.resolve(projectDir, opts.envFile) : path.join(projectDir, '.env');
  let text: string | undefined;
  try {
    text = await readLocalFile(envPath, {
      what: 'env file',
      display: displayPath(projectDir, envPath),
      maxBytes,
    });
  } catch (err) {
    // The default .env is optional; a named one is not.
    if (opts.envFile || !(err instanceof LocalFileError && err.problem === 'missing')) throw err;
  }
  const dotenv = text === undefined ? {} : parseDotEnv(text, displayPath(projectDir, envPath), fromProcess);
  return (n) => fromProcess(n) ?? (Object.hasOwn(dotenv, n) ? dotenv[n] : undefined);
}

function splitList(v: string | undefined, sep: string | RegExp): string[] {
  return (v ?? '')
    .split(sep)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Compose's rule for project names from a directory: lower case, only [a-z0-9_-]. */
function normalizeProjectName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9_-]/g, '');
}

function scalarAt(model: LMap, key: string): string | undefined {
  const v = model.entries.get(key)?.value;
  return v?.kind === 'scalar' && v.value !== null && v.value !== '' ? String(v.value) : undefined;
}

/**
 * The required env files that are not there, for the target's message: compose refuses to start
 * these services; strisk reads on without their variables (shown with the report's sources).
 */
function missingEnvFiles(services: readonly ComposeFacts['services'][number][]): string | undefined {
  const byPath = new Map<string, string[]>();
  for (const s of services)
    for (const f of s.envFiles ?? [])
      if (f.missing && f.required)
        byPath.set(f.path, [...(byPath.get(f.path) ?? []), `${s.name} at ${f.file}:${f.line}`]);
  if (byPath.size === 0) return undefined;
  const list = [...byPath].map(([p, uses]) => `${p} (${uses.join(', ')})`).join('; ');
  return `required env_file not found, read without its variables (compose would refuse to start these services): ${list}`;
}

/** Returns [] when no compose file is found and none was given. */
export async function collectCompose(opts: ComposeOptions): Promise<TargetFacts<ComposeFacts>[]> {
  const started = performance.now();
  const projectDir = path.resolve(opts.projectDir);
  const maxBytes = maxFileBytes(opts.env ?? process.env);
  const lookup = await loadEnv(opts, projectDir, maxBytes);
  const fromEnv = splitList(lookup('COMPOSE_FILE'), lookup('COMPOSE_PATH_SEPARATOR') || path.delimiter);
  const given = opts.files && opts.files.length > 0 ? opts.files : fromEnv;
  const files =
    given.length > 0 ? given.map((f) => path.resolve(projectDir, f)) : await findComposeFiles(projectDir);
  if (files.length === 0) return [];

  const activeProfiles = opts.profiles ?? splitList(lookup('COMPOSE_PROFILES'), /,/);
  let unresolved: UnresolvedAt[] = [];
  const pool = new StringPool();
  let services: ComposeFacts['services'] = [];
  let inactiveServices: string[] = [];
  // Each service is normalised and validated as soon as its model is known, so that only its facts
  // are kept (validating them all at the end would hold a second copy of every service's facts).
  const addService = (entry: LEntry) => {
    const svc = compact(conformed(ComposeServiceSchema, normalizeService(entry)), pool);
    const active =
      svc.profiles.length === 0 ||
      activeProfiles.includes('*') ||
      svc.profiles.some((p) => activeProfiles.includes(p));
    if (active) services.push(svc);
    else inactiveServices.push(svc.name);
  };
  const context = (): LoadContext => ({ projectDir, lookup, unresolved, cache: new Map(), maxBytes });

  // One file of the common shape is read a service at a time (loadStreamed); anything else, and
  // anything that file holds that the streamed path does not do (errors included), goes the whole
  // way, from scratch: same facts, same errors.
  let model: LMap | undefined;
  if (files.length === 1) {
    try {
      model = await loadStreamed(files[0] as string, context(), addService);
    } catch {
      model = undefined;
    }
  }
  if (!model) {
    unresolved = [];
    services = [];
    inactiveServices = [];
    const ctx = context();
    model = emptyMap(displayPath(projectDir, files[0] as string), 1);
    for (const abs of files) model = mergeModels(model, await loadResolved(abs, ctx));
    for (const entry of servicesOf(model).values()) addService(entry);
  }

  // The env_file variables of the active services, merged under their environment.
  await applyEnvFiles(services, projectDir, lookup, maxBytes);
  const missing = missingEnvFiles(services);

  const topVolumes = model.entries.get('volumes')?.value;
  const name =
    opts.projectName ??
    lookup('COMPOSE_PROJECT_NAME') ??
    scalarAt(model, 'name') ??
    path.basename(projectDir);
  const seen = new Set<string>();
  // Inline `# strisk-ignore` comments of the compose files: a pass over their raw lines.
  const ignores = await readInlineIgnores(
    projectDir,
    files.map((f) => displayPath(projectDir, f)),
    maxBytes,
  );
  const data = conformed(ComposeFactsSchema, {
    ...(ignores.length > 0 ? { ignores } : {}),
    projectName:
      opts.projectName || lookup('COMPOSE_PROJECT_NAME') ? name.toLowerCase() : normalizeProjectName(name),
    files: files.map((f) => displayPath(projectDir, f)),
    activeProfiles,
    // Validated one by one above; put in after, so that zod does not copy them all again.
    services: [],
    inactiveServices,
    volumes: topVolumes?.kind === 'map' ? [...topVolumes.entries.keys()] : [],
    unresolved: unresolved.filter((u) => {
      const key = `${u.variable}\0${u.file}\0${u.line}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    }),
  });
  data.services = services;
  return [
    {
      target: data.files.join(','),
      status: 'ok',
      ...(missing ? { message: missing } : {}),
      durationMs: Math.round((performance.now() - started) * 1000) / 1000,
      data,
    },
  ];
}
