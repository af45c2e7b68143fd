// Finds the server commands of an app: Dockerfiles, compose files, Procfiles and gunicorn
// configs in the app directory and its parents up to the project root; `uvicorn.run(...)` calls.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { readLocalFile } from '../../core/local-file.js';
import { readModule } from './module.js';
import { parseLight } from './parser.js';
import { Project } from './project.js';
import type { AppFacts, ServerCommand } from './schema.js';
import { dockerCommandArgv, parseProcfile, parseServerCommand, shellSplit } from './server.js';

const rel = (root: string, full: string) => path.relative(root, full).split(path.sep).join('/');

/** A file found by name (not given by the user): one that cannot be read, a FIFO or a device reads as empty. */
const readFound = (full: string) => readLocalFile(full, { what: 'file' }).catch(() => '');

function dirsUpTo(dir: string, root: string): string[] {
  const out = [dir];
  let cur = dir;
  while (cur !== root && !path.relative(root, cur).startsWith('..') && path.dirname(cur) !== cur) {
    cur = path.dirname(cur);
    out.push(cur);
  }
  return out;
}

/**
 * The server command of each stage that starts one, inherited through `FROM <stage>`: a
 * multi-target Dockerfile often ends with a worker, Lambda or dev stage, and the API server is an
 * earlier target (`target: api` in compose), possibly one that other stages build on.
 */
async function fromDockerfile(full: string, file: string): Promise<ServerCommand[]> {
  // Loaded when a Dockerfile is found (the parser and its package are a tenth of a second to load).
  const [{ parseDockerfile }, { chainInstructions }] = await Promise.all([
    import('../dockerfile/parse.js'),
    import('../../facts/dockerfile.js'),
  ]);
  const parsed = parseDockerfile(await readFound(full), file);
  if (!parsed.ok) return [];
  const df = parsed.data;
  const seen = new Set<number>();
  return df.stages.flatMap((stage) => {
    const chain = chainInstructions(df, stage);
    const find = (k: string) => chain.filter((i) => i.keyword === k).at(-1);
    const entry = find('ENTRYPOINT');
    // An ENTRYPOINT set after the last CMD resets the CMD, as Docker does.
    const lastCmd = find('CMD');
    const cmd = lastCmd && entry && chain.indexOf(entry) > chain.indexOf(lastCmd) ? undefined : lastCmd;
    const argv = [
      ...(entry ? dockerCommandArgv(entry.args) : []),
      ...(cmd ? dockerCommandArgv(cmd.args) : []),
    ];
    const at = cmd ?? entry;
    // Two shipped stages built FROM one base share its CMD: one command, not two.
    if (!at || seen.has(at.line)) return [];
    seen.add(at.line);
    const c = parseServerCommand(argv, { file, line: at.line, source: 'dockerfile' });
    return c ? [c] : [];
  });
}

async function fromCompose(
  dir: string,
  root: string,
  env: Record<string, string | undefined>,
): Promise<ServerCommand[]> {
  // Loaded on first use, as the Dockerfile parser.
  const targets = await import('../compose/index.js')
    .then(({ collectCompose }) => collectCompose({ projectDir: dir, env }))
    .catch(() => []);
  return targets.flatMap((t) =>
    (t.data?.services ?? []).flatMap((svc) => {
      const cmd = svc.command ?? svc.entrypoint;
      if (!cmd) return [];
      const argv = typeof cmd.value === 'string' ? shellSplit(cmd.value) : cmd.value;
      const envValues = Object.fromEntries(Object.entries(svc.environment).map(([k, v]) => [k, v.value]));
      const c = parseServerCommand(
        argv,
        {
          file: rel(root, path.resolve(dir, cmd.file)),
          line: cmd.line,
          source: 'compose',
          service: svc.name,
        },
        envValues,
      );
      return c ? [c] : [];
    }),
  );
}

async function fromGunicornConfig(full: string, file: string): Promise<ServerCommand[]> {
  const parsed = await parseLight(await readFound(full));
  if ('error' in parsed) return [];
  const mod = readModule(file, parsed.tree);
  const project = new Project([mod]);
  const options: Record<string, string> = {};
  let workers: number | null | undefined;
  let line = 1;
  for (const [key, flag] of [
    ['workers', '--workers'],
    ['worker_class', '--worker-class'],
    ['bind', '--bind'],
    ['loglevel', '--log-level'],
  ] as const) {
    const node = mod.bindings.get(key);
    if (!node) continue;
    const v = project.evaluate(node, mod);
    options[flag] = v.value === undefined || v.value === null ? v.text : String(v.value);
    if (key === 'workers') {
      workers = typeof v.value === 'number' ? v.value : null;
      line = node.startPosition.row + 1;
    }
  }
  const workerClass = options['--worker-class'];
  return [
    {
      file,
      line,
      source: 'gunicorn-config',
      argv: [],
      server: 'gunicorn',
      options,
      ...(workers !== undefined ? { workers } : {}),
      ...(workerClass ? { workerClass } : {}),
      env: {},
    },
  ];
}

/** `uvicorn.run(app, workers=4, loop="uvloop")` in the source; a `reload=True` run is a dev server, not the deployment. */
function fromPythonCalls(facts: AppFacts): ServerCommand[] {
  return facts.calls
    .filter((c) => c.qualified === 'uvicorn.run' || c.qualified === 'hypercorn.asyncio.serve')
    .filter((c) => c.args.reload?.value !== true)
    .map((c) => {
      const options: Record<string, string> = {};
      for (const [k, v] of Object.entries(c.args))
        options[`--${k.replace(/_/g, '-')}`] =
          v.value === undefined || v.value === null ? v.text : String(v.value);
      const w = c.args.workers;
      return {
        file: c.file,
        line: c.line,
        source: 'python' as const,
        argv: [],
        server: c.qualified.startsWith('uvicorn') ? ('uvicorn' as const) : ('hypercorn' as const),
        options,
        ...(w ? { workers: typeof w.value === 'number' ? w.value : null } : {}),
        env: {},
      };
    });
}

/** The commands of the files: none needs the Python facts, so this runs while the source is parsed. */
export async function fileServerCommands(
  dir: string,
  root: string,
  env: Record<string, string | undefined>,
): Promise<ServerCommand[]> {
  const out: ServerCommand[] = [];
  for (const d of dirsUpTo(dir, root)) {
    const names = (await readdir(d).catch(() => [] as string[])).sort();
    for (const name of names) {
      const full = path.join(d, name);
      const file = rel(root, full) || name;
      if (/^Dockerfile(\..+)?$/.test(name) && !name.endsWith('.dockerignore'))
        out.push(...(await fromDockerfile(full, file).catch(() => [])));
      else if (name === 'Procfile') out.push(...parseProcfile(file, await readFound(full)));
      else if (name === 'gunicorn.conf.py' || name === 'gunicorn_conf.py')
        out.push(...(await fromGunicornConfig(full, file)));
    }
    out.push(...(await fromCompose(d, root, env)));
  }
  return out;
}

/** The file commands with the source's calls after them, every file relative to the root. */
export function withPythonCalls(files: ServerCommand[], root: string, facts: AppFacts): ServerCommand[] {
  const out = [...files, ...fromPythonCalls(facts)];
  return out.map((c) => ({ ...c, file: c.file.startsWith('/') ? rel(root, c.file) : c.file }));
}
