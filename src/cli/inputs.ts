import { realpathSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { isDockerfileName } from '../collectors/dockerfile/index.js';
import type { LoadedConfig } from '../config/load.js';
import type { Facts } from '../core/facts.js';
import { type AuditInputs, isInside } from './output.js';

const COMPOSE_NAME = /^(docker-)?compose(\.override)?\.ya?ml$/;
const APP_MANIFEST =
  /^(requirements.*\.(txt|in)|pyproject\.toml|poetry\.lock|uv\.lock|Pipfile\.lock|Procfile)$/;

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/**
 * The compose files an audit is told of: by --compose or else the config (`named`), and by
 * COMPOSE_FILE (`fromEnv`); not those compose finds by itself in the project directory.
 */
export function namedComposeFiles(
  flags: { compose?: string[] },
  config: LoadedConfig['config'],
  env: Record<string, string | undefined>,
): { named: string[]; fromEnv: string[] } {
  return {
    named: flags.compose?.length ? flags.compose : (config.compose?.files ?? []),
    fromEnv: (env.COMPOSE_FILE ?? '').split(env.COMPOSE_PATH_SEPARATOR || ':').filter(Boolean),
  };
}
/**
 * What an audit will read, known before it reads anything: the config, `--facts`, `--baseline`,
 * the compose files and `.env`, the Dockerfiles, image archives and the app's sources. An output
 * that names one of them is refused (exit 2) instead of overwriting what is being audited.
 */
export function auditInputs(
  projectDir: string,
  flags: {
    facts?: string;
    baseline?: string;
    compose?: string[];
    dockerfile?: string[];
    imageArchive?: string[];
  },
  loaded: LoadedConfig,
  appDirs: readonly string[],
  env: Record<string, string | undefined>,
): AuditInputs {
  const files: AuditInputs['files'] = [];
  if (loaded.file) files.push({ path: loaded.file, what: 'the config file' });
  if (flags.facts) files.push({ path: flags.facts, what: 'the --facts file' });
  if (flags.baseline) files.push({ path: flags.baseline, what: 'the --baseline report' });
  if (flags.facts) return { files };
  const config = loaded.config;
  const at = (f: string) => resolve(projectDir, f);
  const compose = namedComposeFiles(flags, config, env);
  for (const f of compose.named) files.push({ path: at(f), what: 'a compose file' });
  for (const f of compose.fromEnv) files.push({ path: at(f), what: 'a compose file (COMPOSE_FILE)' });
  files.push({ path: at(config.compose?.envFile ?? '.env'), what: 'the compose .env file' });
  const dockerfiles = flags.dockerfile?.length ? flags.dockerfile : config.dockerfiles;
  for (const f of dockerfiles ?? []) files.push({ path: at(f), what: 'a Dockerfile' });
  for (const f of flags.imageArchive ?? []) files.push({ path: f, what: 'an --image-archive' });

  const project = real(projectDir);
  const matches: NonNullable<AuditInputs['matches']> = [
    {
      what: 'a compose file of the project',
      test: (t) => dirname(t) === project && COMPOSE_NAME.test(basename(t)),
    },
  ];
  if (!dockerfiles?.length)
    matches.push({
      what: 'a Dockerfile of the project',
      test: (t) => isInside(project, t) && isDockerfileName(basename(t)),
    });
  for (const dir of appDirs.map((d) => real(resolve(projectDir, d)))) {
    matches.push({
      what: 'a source file of the app',
      test: (t) =>
        (isInside(dir, t) && (t.endsWith('.py') || APP_MANIFEST.test(basename(t)))) ||
        (dirname(t) === dirname(dir) && APP_MANIFEST.test(basename(t))),
    });
  }
  return { files, matches };
}

/** The files the collectors did read (compose files named by COMPOSE_FILE in .env, found Dockerfiles). */
export function collectedInputs(facts: Facts, projectDir: string): AuditInputs['files'] {
  const files: AuditInputs['files'] = [];
  for (const t of facts.sources.compose ?? []) {
    const data = t.data as { files?: string[] } | undefined;
    for (const f of data?.files ?? []) files.push({ path: resolve(projectDir, f), what: 'a compose file' });
  }
  for (const t of facts.sources.dockerfile ?? [])
    files.push({ path: resolve(projectDir, t.target), what: 'a Dockerfile' });
  for (const t of facts.sources.k8s ?? []) {
    const data = t.data as { files?: string[] } | undefined;
    for (const f of data?.files ?? [])
      if (f !== '<stdin>') files.push({ path: resolve(projectDir, f), what: 'a Kubernetes manifest' });
  }
  return files;
}
