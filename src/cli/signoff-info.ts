import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import type { SignoffInfo } from '../core/report.js';
import { sha256Hex } from '../core/sha256.js';
import { gitOutput } from './git.js';

/**
 * The audited project's commit and whether its tree had changes; undefined outside a git work tree,
 * before its first commit, or without git. One `git status` says both (porcelain v2 names the
 * commit in its `# branch.oid` header; any other line is a change to a tracked file under the
 * project): one process, not two, for a fork of this process costs ~17 ms here. Read-only
 * (`gitOutput`).
 */
export async function gitState(dir: string): Promise<SignoffInfo['git']> {
  try {
    const status = await gitOutput(
      dir,
      ['status', '--porcelain=v2', '--branch', '--untracked-files=no', '--', '.'],
      5000,
    );
    const lines = status.split('\n').filter((l) => l !== '');
    const commit = /^# branch\.oid ([0-9a-f]{40,64})$/m.exec(status)?.[1];
    return commit ? { commit, dirty: lines.some((l) => !l.startsWith('# ')) } : undefined;
  } catch {
    return undefined;
  }
}

/** The sign-off data: commit, config hash, approver and environment (flags over the config). */
export function signoffInfo(
  git: SignoffInfo['git'],
  loaded: LoadedConfig,
  flags: { approver?: string; environment?: string },
): SignoffInfo {
  const info: SignoffInfo = {};
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
