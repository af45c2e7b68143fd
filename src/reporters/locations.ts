import { posix } from 'node:path';
import type { Evidence } from '../core/check.js';
import type { CheckResult, FileAnchor, Report } from '../core/report.js';

/**
 * A path of the report (relative to the audited directory) as a path from the repository root,
 * `/`-separated; an absolute path stays absolute.
 */
export function repoPath(report: Report, file: string): string {
  const path = file.replace(/\\/g, '/');
  if (path.startsWith('/')) return path;
  const root = report.locations?.root ?? '';
  return posix.normalize(posix.join(root || '.', path)).replace(/^\.\//, '');
}

/** The config file, else the compose file…: where a result with no file of its own is shown. */
export function anchorOf(report: Report, checkId: string): FileAnchor {
  return report.locations?.checks?.[checkId] ?? report.locations?.anchor ?? { file: 'strisk.config.yaml' };
}

/** Where one finding (or, without evidence, the result) is shown: its own file and line, else the anchor. */
export function locationOf(
  report: Report,
  r: CheckResult,
  e?: Evidence,
): { file: string; line?: number; anchored: boolean } {
  if (e?.file) return { file: repoPath(report, e.file), line: e.line, anchored: false };
  const a = anchorOf(report, r.id);
  return { file: repoPath(report, a.file), line: a.line, anchored: true };
}
