// The dockerfile collector: finds Dockerfiles in the project and parses each into facts.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../../core/errors.js';
import type { TargetFacts } from '../../core/facts.js';
import { LocalFileError, maxFileBytes, readLocalFile } from '../../core/local-file.js';
import { parse as parseYaml } from 'yaml';
import { parseDockerfile } from './parse.js';
import { scanInlineIgnores } from '../inline-ignores.js';
import type { DockerfileFacts } from './schema.js';

export interface DockerfileOptions {
  projectDir: string;
  /** Dockerfiles to read, relative to projectDir or absolute; found in projectDir when absent. */
  files?: string[];
  /**
   * Dockerfiles a compose `build:` names (relative to projectDir, `..` allowed): read too when
   * `files` is not given and they exist, wherever they are (a sibling directory, deeper than the
   * search, a skipped directory). One that does not exist is left to compose (a remote context).
   */
  composeBuilds?: string[];
  /** `--build-arg` values; they override the defaults of ARGs declared before the first FROM. */
  buildArgs?: Record<string, string>;
  /** For STRISK_MAX_FILE_SIZE (default process.env). */
  env?: Record<string, string | undefined>;
}

const SKIPPED_DIRS = new Set(['node_modules', '.git', 'dist', '.venv']);
const MAX_DEPTH = 4;

export function isDockerfileName(name: string): boolean {
  // `Dockerfile.dockerignore` and `x.Dockerfile.dockerignore` are BuildKit ignore files.
  if (name.endsWith('.dockerignore')) return false;
  return /^Dockerfile(\..+)?$/.test(name) || /.\.[Dd]ockerfile$/.test(name);
}

/** Dockerfiles under dir, at most MAX_DEPTH directories deep, sorted. */
async function findDockerfiles(dir: string, depth = 0): Promise<string[]> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const found: string[] = [];
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isFile() && isDockerfileName(e.name)) found.push(full);
    else if (e.isDirectory() && depth < MAX_DEPTH && !SKIPPED_DIRS.has(e.name)) {
      found.push(...(await findDockerfiles(full, depth + 1)));
    }
  }
  return found.sort();
}

async function resolveGiven(projectDir: string, files: string[]): Promise<string[]> {
  return Promise.all(
    files.map(async (f) => {
      const full = path.resolve(projectDir, f);
      const info = await stat(full).catch(() => undefined);
      if (!info) throw new InputError(`Dockerfile not found: ${f}`, f);
      // A FIFO, device or directory given as a Dockerfile: refused by the reader, with what it is.
      if (!info.isFile()) await readLocalFile(full, { what: 'Dockerfile', display: f, maxBytes: 0 });
      return full;
    }),
  );
}

const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

/**
 * The workspace package globs declared in dir (the Dockerfile's build context): package.json
 * `workspaces` (an array, or `{ packages: [...] }` as yarn 1 allows) and pnpm-workspace.yaml
 * `packages`. Optional context: a missing, unreadable or malformed file declares none.
 */
export async function readWorkspaces(dir: string, maxBytes: number): Promise<string[]> {
  const read = (name: string) =>
    readLocalFile(path.join(dir, name), { what: name, maxBytes: Math.min(maxBytes, 1024 * 1024) }).catch(
      () => undefined,
    );
  const found: string[] = [];
  const pkg = await read('package.json');
  if (pkg !== undefined) {
    try {
      const w = (JSON.parse(pkg) as { workspaces?: unknown } | null)?.workspaces;
      found.push(...strings(Array.isArray(w) ? w : (w as { packages?: unknown } | undefined)?.packages));
    } catch {
      // Not JSON: no workspaces known.
    }
  }
  const pnpm = await read('pnpm-workspace.yaml');
  if (pnpm !== undefined) {
    try {
      found.push(...strings((parseYaml(pnpm) as { packages?: unknown } | null)?.packages));
    } catch {
      // Not YAML: no workspaces known.
    }
  }
  return [...new Set(found)];
}

async function collectOne(
  full: string,
  projectDir: string,
  buildArgs: Record<string, string>,
  maxBytes: number,
): Promise<TargetFacts<DockerfileFacts>> {
  const started = performance.now();
  const file = path.relative(projectDir, full).split(path.sep).join('/');
  const done = (t: Omit<TargetFacts<DockerfileFacts>, 'target' | 'durationMs'>) => ({
    target: file,
    durationMs: Math.round(performance.now() - started),
    ...t,
  });
  let text: string;
  try {
    text = await readLocalFile(full, { what: 'Dockerfile', display: file, maxBytes });
  } catch (err) {
    // Not a regular file, over the size limit, unreadable: bad input (exit 2), as for a compose
    // file, not a source that could not be reached.
    if (err instanceof LocalFileError) throw err;
    throw new InputError(`cannot read Dockerfile: ${String(err)}`, file);
  }
  if (text.split('\n').every((l) => /^\s*(#.*)?$/.test(l)))
    throw new InputError('empty Dockerfile: no instruction (expected FROM IMAGE first)', file);
  try {
    const parsed = parseDockerfile(text, file, buildArgs);
    if (parsed.ok) {
      const workspaces = await readWorkspaces(path.dirname(full), maxBytes);
      const ignores = scanInlineIgnores(file, text);
      return done({
        status: 'ok',
        data: { ...parsed.data, workspaces, ...(ignores.length > 0 ? { ignores } : {}) },
      });
    }
    const where = parsed.line ? `${file}:${parsed.line}` : file;
    return done({ status: 'invalid', message: `${where}: ${parsed.message}` });
  } catch (err) {
    return done({
      status: 'invalid',
      message: `${file}: ${err instanceof Error ? err.message : String(err)}`,
    });
  }
}

/**
 * Finds Dockerfiles when files is not given: `Dockerfile`, `Dockerfile.*`, `*.Dockerfile`,
 * `*.dockerfile` under projectDir (depth ≤ 4; skip node_modules, .git, dist, .venv). One target
 * per file. A given file that does not exist, a file that cannot be read and an empty one are an
 * InputError; a file that is not a valid Dockerfile becomes a target with status `invalid`.
 */
export async function collectDockerfiles(opts: DockerfileOptions): Promise<TargetFacts<DockerfileFacts>[]> {
  const projectDir = path.resolve(opts.projectDir);
  const files = opts.files ? await resolveGiven(projectDir, opts.files) : await findDockerfiles(projectDir);
  if (!opts.files) {
    for (const f of opts.composeBuilds ?? []) {
      const full = path.resolve(projectDir, f);
      if (files.includes(full)) continue;
      const info = await stat(full).catch(() => undefined);
      if (info?.isFile()) files.push(full);
    }
  }
  const maxBytes = maxFileBytes(opts.env ?? process.env);
  return Promise.all(files.map((f) => collectOne(f, projectDir, opts.buildArgs ?? {}, maxBytes)));
}
