import { existsSync } from 'node:fs';
import { findConfig, loadConfig } from '../config/load.js';
import { InputError } from '../core/errors.js';
import type { Comparison } from '../core/report.js';
import { readBaseline } from '../policy/baseline.js';
import { compareRuns } from '../policy/compare.js';
import { alignBaseline } from '../policy/legacy-targets.js';
import { markdownSafe, terminalSafe } from '../reporters/escape.js';

/** `strisk compare OLD NEW`: the same comparison as `--baseline`, between two saved reports. */
export function compareCommand(
  oldFile: string,
  newFile: string,
  flags: { config?: string; format: 'terminal' | 'json' | 'markdown' },
  env: Record<string, string | undefined>,
): { text: string; code: number } {
  if (flags.config && !existsSync(flags.config)) throw new InputError('config file not found', flags.config);
  const configFile = flags.config ?? findConfig('.');
  const tolerances = configFile ? loadConfig(configFile, env).config.baseline?.tolerance : undefined;
  const after = readBaseline(newFile);
  // An older report may name PostgreSQL / PgBouncer targets the old way (no user).
  const before = alignBaseline(readBaseline(oldFile), after.sources ?? []);
  const comparison: Comparison & { score: number | null } = {
    baseline: {
      file: oldFile,
      startedAt: before.startedAt,
      toolVersion: before.tool.version,
      score: before.score,
    },
    score: after.score,
    ...compareRuns(before.results, after.results, tolerances),
  };
  const code = comparison.regressions.length > 0 ? 1 : 0;
  if (flags.format === 'json') return { text: `${JSON.stringify(comparison, null, 2)}\n`, code };
  const md = flags.format === 'markdown';
  const esc = md ? markdownSafe : terminalSafe;
  const lines = [
    `${md ? '## ' : ''}strisk compare: ${esc(before.startedAt)} → ${esc(after.startedAt)}, score ${before.score ?? 'n/a'} → ${after.score ?? 'n/a'}`,
    '',
    ...comparison.regressions.map((c) => `${md ? '- ❌' : '✖'} regression: ${esc(c.text)}`),
    ...comparison.improvements.map((c) => `${md ? '- ✅' : '✔'} improved: ${esc(c.text)}`),
  ];
  if (comparison.regressions.length + comparison.improvements.length === 0)
    lines.push('no change in status or measured values');
  lines.push(
    '',
    `${comparison.regressions.length} regression(s), ${comparison.improvements.length} improvement(s)`,
  );
  return { text: `${lines.join('\n')}\n`, code };
}
