import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import { childProcess } from '../core/builtins.js';
import type { SignoffInfo } from '../core/report.js';
import { sha256Hex } from '../core/sha256.js';

/**
 * The audited project's commit and whether its tree had changes; undefined outside a git work tree
 * or without git. Read-only: `--no-optional-locks` keeps `git status` from refreshing the index.
 */
export function gitState(dir: string): SignoffInfo['git'] {
  const git = (args: string[]) =>
    childProcess().execFileSync('git', ['--no-optional-locks', '-C', dir, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5000,
    });
  try {
    const commit = git(['rev-parse', 'HEAD']).trim();
    const dirty = git(['status', '--porcelain', '--untracked-files=no', '--', '.']).trim() !== '';
    return /^[0-9a-f]{40,64}$/.test(commit) ? { commit, dirty } : undefined;
  } catch {
    return undefined;
  }
}

/** The sign-off data: commit, config hash, approver and environment (flags over the config). */
export function signoffInfo(
  projectDir: string | undefined,
  loaded: LoadedConfig,
  flags: { approver?: string; environment?: string },
): SignoffInfo {
  const info: SignoffInfo = {};
  const git = projectDir ? gitState(projectDir) : undefined;
  if (git) info.git = git;
  if (loaded.file) {
    info.configFile = relative(process.cwd(), loaded.file) || loaded.file;
    info.configSha256 = sha256Hex(readFileSync(loaded.file));
  }
  const approver = flags.approver ?? loaded.config.signoff?.approver;
  const environment = flags.environment ?? loaded.config.signoff?.environment;
  if (approver) info.approver = approver;
  if (environment) info.environment = environment;
  return info;
}
