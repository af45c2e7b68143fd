import { existsSync, readFileSync } from 'node:fs';
import { CHECKS } from '../checks/index.js';
import { CATALOGUE } from '../core/catalogue.js';
import { InputError } from '../core/errors.js';
import { nearest } from '../core/nearest.js';
import { checkPage, installedCheckPage } from '../reporters/check-page.js';

export interface CatalogueRow {
  id: string;
  kind: string;
  source: string;
  seedRef: string;
  severity: string;
  implemented: boolean;
  title: string;
}

export function catalogueRows(): CatalogueRow[] {
  return CATALOGUE.map((e) => {
    const def = CHECKS.find((c) => c.id === e.id);
    return {
      id: e.id,
      kind: e.kind,
      source: def
        ? [...def.requires, ...(def.optional ?? []).map((s) => `${s}?`)].join(', ') || '—'
        : e.sources,
      seedRef: e.seedRef,
      severity: def?.severity ?? (e.kind === 'info' ? 'info' : 'medium'),
      implemented: Boolean(def),
      title: def?.title ?? e.rule,
    };
  });
}

export function checksCommand(format: 'terminal' | 'json'): string {
  const rows = catalogueRows();
  if (format === 'json') return `${JSON.stringify(rows, null, 2)}\n`;
  // Plain columns, one line per check: no rule between rows, greppable.
  const head = ['id', 'seed', 'kind', 'severity', 'implemented', 'source'];
  const cells = rows.map((r) => [
    r.id,
    r.seedRef,
    r.kind,
    r.severity,
    r.implemented ? 'yes' : 'not yet',
    r.source,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c
      .map((x, i) => x.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const table = [line(head), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
  const done = rows.filter((r) => r.implemented).length;
  return `${table}\n\n${done} of ${rows.length} checklist checks implemented.\n`;
}

/**
 * A check's page: the generated one shipped in docs/checks (with its examples) when installed,
 * else the same page made from the definition now.
 */
export function explainCommand(id: string): string {
  const entry = CATALOGUE.find((e) => e.id === id);
  const def = CHECKS.find((c) => c.id === id);
  if (!entry && !def) {
    const near = nearest(id, [...new Set([...CATALOGUE.map((e) => e.id), ...CHECKS.map((c) => c.id)])]);
    throw new InputError(
      `unknown check "${id}"${near ? `; did you mean ${near}?` : ''} (strisk checks lists them)`,
    );
  }
  if (!def) {
    return `${id}  [${entry!.seedRef}] ${entry!.kind}\n\nNot implemented yet. Rule from the checklist: ${entry!.rule}\n`;
  }
  const shipped = installedCheckPage(id);
  if (existsSync(shipped)) return readFileSync(shipped, 'utf8');
  return `${checkPage(def, entry)}\n`;
}
