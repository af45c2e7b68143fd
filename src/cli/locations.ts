import { existsSync, realpathSync, statSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import type { ComposeFacts } from '../collectors/compose/schema.js';
import { LIVE_SOURCES } from '../collectors/live.js';
import type { LoadedConfig } from '../config/load.js';
import type { CheckDefinition } from '../core/check.js';
import { InputError } from '../core/errors.js';
import type { Facts } from '../core/facts.js';
import type { FileAnchor, ReportLocations } from '../core/report.js';
import { gitOutput } from './git.js';

const LIVE = new Set<string>(Object.keys(LIVE_SOURCES));
const toPosix = (p: string) => p.split(sep).join('/');
const real = (p: string) => {
  try {
    return realpathSync(p);
  } catch {
    return resolve(p);
  }
};

/**
 * The repository root: `--repo-root` when given (the audited directory must be inside it: else
 * an InputError, thrown at once), else what git says from the audited directory, asked in the
 * background (unless askGit is false: no format shows it), else the audited directory itself (no
 * repository).
 */
export function repositoryRoot(projectDir: string, given?: string, askGit = true): Promise<string> {
  if (given !== undefined) {
    if (!existsSync(given) || !statSync(given).isDirectory())
      throw new InputError(`--repo-root: not a directory: ${given}`);
    const rel = relative(real(given), real(projectDir));
    if (rel === '..' || rel.startsWith(`..${sep}`) || resolve(rel) === rel)
      throw new InputError(`--repo-root ${given} does not hold the audited directory ${projectDir}`);
    return Promise.resolve(real(given));
  }
  if (!askGit) return Promise.resolve(real(projectDir));
  // Not a repository, or no git: paths stay relative to the audited directory.
  return gitOutput(projectDir, ['rev-parse', '--show-toplevel'], 10_000).then(
    (out) => real(out.trim() || projectDir),
    () => real(projectDir),
  );
}

/**
 * Where each result points, for SARIF and GitHub annotations. A finding with no file of its own
 * (an attestation, a live server's setting) is shown at the config file: at its `attestations:`
 * key for an attestation item, at `targets.<source>` for a check of a source configured there
 * (a server, the app's source), else at its first line. Without a config file: the first compose file, else the first
 * Dockerfile, else `strisk.config.yaml` where a config would go.
 */
export function reportLocations(
  projectDir: string,
  repoRoot: string,
  loaded: LoadedConfig,
  facts: Facts,
  defs: readonly Pick<CheckDefinition, 'id' | 'kind' | 'requires' | 'optional'>[],
): ReportLocations {
  const root = toPosix(relative(repoRoot, real(projectDir)));
  const inDir = (file: string) => toPosix(relative(real(projectDir), real(file)));
  const config = loaded.file ? inDir(loaded.file) : undefined;
  const compose = (facts.sources.compose?.[0]?.data as ComposeFacts | undefined)?.files[0];
  const dockerfile = facts.sources.dockerfile?.[0]?.target;
  const anchor: FileAnchor = config
    ? { file: config, line: 1 }
    : compose
      ? { file: compose, line: 1 }
      : dockerfile
        ? { file: dockerfile, line: 1 }
        : { file: 'strisk.config.yaml' };
  const checks: Record<string, FileAnchor> = {};
  if (config) {
    const attestations = loaded.config.attestations ? loaded.lineAt?.(['attestations']) : undefined;
    for (const d of defs) {
      if (d.kind === 'attest') {
        checks[d.id] = { file: config, line: attestations ?? 1 };
        continue;
      }
      const source = [...d.requires, ...(d.optional ?? [])].find(
        (s) => LIVE.has(s) && (loaded.config.targets as Record<string, unknown> | undefined)?.[s],
      );
      const line = source ? loaded.lineAt?.(['targets', source]) : undefined;
      if (line) checks[d.id] = { file: config, line };
    }
  }
  return { root: root === '' ? '' : root, anchor, ...(Object.keys(checks).length > 0 ? { checks } : {}) };
}
