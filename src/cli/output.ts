import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InputError } from '../core/errors.js';
import type { Report } from '../core/report.js';
import { githubReport } from '../reporters/github.js';
import { htmlReport } from '../reporters/html.js';
import { jsonReport } from '../reporters/json.js';
import { junitReport } from '../reporters/junit.js';
import { markdownReport } from '../reporters/markdown.js';
import { sarifReport } from '../reporters/sarif.js';
import { terminalReport } from '../reporters/terminal.js';

export const FORMATS = ['terminal', 'json', 'junit', 'sarif', 'markdown', 'html', 'github'] as const;
export type Format = (typeof FORMATS)[number];

export interface OutputSpec {
  format: Format;
  /** A file path, or undefined for stdout. */
  path?: string;
}

/** `--format json`, `--format junit=reports/strisk.xml`; at most one format may go to stdout. */
export function parseFormats(values: readonly string[]): OutputSpec[] {
  const specs = (values.length > 0 ? values : ['terminal']).map((v) => {
    const [name, ...rest] = v.split('=');
    const path = rest.join('=') || undefined;
    if (!FORMATS.includes(name as Format)) {
      throw new InputError(
        `unknown format "${name}" (expected one of ${FORMATS.join(', ')}, optionally =FILE)`,
      );
    }
    return { format: name as Format, path };
  });
  if (specs.filter((s) => !s.path).length > 1) {
    throw new InputError(
      'only one --format may write to stdout; give the others a file: --format junit=FILE',
    );
  }
  return specs;
}

export function render(report: Report, format: Format, opts: { color: boolean; verbose?: boolean }): string {
  switch (format) {
    case 'json':
      return jsonReport(report);
    case 'junit':
      return junitReport(report);
    case 'terminal':
      return terminalReport(report, opts);
    case 'sarif':
      return sarifReport(report);
    case 'markdown':
      return markdownReport(report);
    case 'html':
      return htmlReport(report);
    case 'github':
      return githubReport(report);
  }
}

/**
 * Writes every output of a run or none: each goes to a temporary file first, and only when all of
 * them are written are they renamed into place. A path that cannot be written is bad input.
 */
export function writeAllAtomic(files: readonly { path: string; text: string }[]): void {
  const staged: { tmp: string; full: string }[] = [];
  let current: string | undefined;
  try {
    for (const f of files) {
      current = f.path;
      const full = resolve(f.path);
      if (existsSync(full) && statSync(full).isDirectory()) throw new InputError('is a directory', f.path);
      mkdirSync(dirname(full), { recursive: true });
      const tmp = `${full}.${process.pid}.tmp`;
      writeFileSync(tmp, f.text);
      staged.push({ tmp, full });
    }
    for (const s of staged) {
      current = s.full;
      renameSync(s.tmp, s.full);
    }
  } catch (err) {
    for (const s of staged) rmSync(s.tmp, { force: true });
    if (err instanceof InputError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new InputError(`cannot write: ${code}`, current);
  }
}

/** Writes through a temporary file and a rename, so a reader never sees half a report. */
export function writeAtomic(path: string, text: string): void {
  const full = resolve(path);
  mkdirSync(dirname(full), { recursive: true });
  const tmp = `${full}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, full);
}
