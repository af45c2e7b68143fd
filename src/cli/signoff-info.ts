import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import type { SignoffInfo } from '../core/report.js';
import { sha256Hex } from '../core/sha256.js';
import { gitOutput } from './git.js';

/**
 * The audited project's commit and whether its tree had changes; undefined outside a git work tree
 * or without git. Asked in the background (the two commands at once); read-only (`gitOutput`).
 */
export async function gitState(dir: string): Promise<SignoffInfo['git']> {
  try {
    const [head, status] = await Promise.all([
      gitOutput(dir, ['rev-parse', 'HEAD'], 5000),
      gitOutput(dir, ['status', '--porcelain', '--untracked-files=no', '--', '.'], 5000),
    ]);
    const commit = head.trim();
    return /^[0-9a-f]{40,64}$/.test(commit) ? { commit, dirty: status.trim() !== '' } : undefined;
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
