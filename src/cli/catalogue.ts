import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { bySection, ROADMAP, sectionOf } from '../core/catalogue.js';
import { InputError } from '../core/errors.js';
import { nearest } from '../core/nearest.js';
import type { Registry } from '../core/registry.js';
import { checkPage, installedCheckPage } from '../reporters/check-page.js';

export interface CatalogueRow {
  id: string;
  kind: string;
  source: string;
  seedRef: string;
  section: string;
  severity: string;
  implemented: boolean;
  title: string;
}

/** Every check of the registry (built-ins and plugins) and every roadmap item, in checklist order. */
export function catalogueRows(registry: Registry): CatalogueRow[] {
  const rows: CatalogueRow[] = [
    ...registry.checks.map((def) => ({
      id: def.id,
      kind: def.kind,
      source: [...def.requires, ...(def.optional ?? []).map((s) => `${s}?`)].join(', ') || '—',
      seedRef: def.seedRef,
      section: sectionOf(def),
      severity: def.severity,
      implemented: true,
      title: def.title,
    })),
    ...ROADMAP.filter((e) => !registry.byId.has(e.id)).map((e) => ({
      id: e.id,
      kind: e.kind,
      source: e.sources,
      seedRef: e.seedRef,
      section: e.section,
      severity: e.kind === 'info' ? 'info' : 'medium',
      implemented: false,
      title: e.rule,
    })),
  ];
  return rows.sort(bySection(registry.sections));
}

export function checksCommand(format: 'terminal' | 'json', registry: Registry): string {
  const rows = catalogueRows(registry);
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
  const plugins = registry.plugins.filter((p) => !p.builtin);
  const from =
    plugins.length === 0
      ? ''
      : ` (${plugins.map((p) => `${p.checks.length} from plugin ${p.origin.label}`).join(', ')})`;
  return `${table}\n\n${done} of ${rows.length} checklist checks implemented${from}.\n`;
}

/**
 * A check's page: for a built-in, the generated one shipped in docs/checks (with its examples), else
 * the same page made from the definition now; for a plugin's check, its definition and options.
 */
export function explainCommand(id: string, registry: Registry): string {
  const entry = ROADMAP.find((e) => e.id === id);
  const def = registry.byId.get(id);
  if (!entry && !def) {
    const near = nearest(id, [...new Set([...ROADMAP.map((e) => e.id), ...registry.byId.keys()])]);
    throw new InputError(
      `unknown check "${id}"${near ? `; did you mean ${near}?` : ''} (strisk checks lists them)`,
    );
  }
  if (!def) {
    return `${id}  [${entry!.seedRef}] ${entry!.kind}\n\nNot implemented yet. Rule from the checklist: ${entry!.rule}\n`;
  }
  const plugin = registry.plugins.find((p) => p.checks.some((c) => c.id === id));
  if (!plugin || plugin.builtin) {
    const shipped = installedCheckPage(id);
    if (existsSync(shipped)) return readFileSync(shipped, 'utf8');
    return `${checkPage(def)}\n`;
  }
  const lines = [`${id}  [${def.seedRef}] ${def.kind}`];
  lines.push(
    `${def.title}`,
    '',
    def.description,
    '',
    `requires: ${def.requires.join(', ') || 'nothing'}${def.optional?.length ? `; reads when present: ${def.optional.join(', ')}` : ''}`,
    `severity: ${def.severity}`,
    `section: ${sectionOf(def)} (plugin ${plugin.origin.label})`,
    '',
    'options (defaults are the checklist’s thresholds):',
    optionsSchema(def.options),
  );
  return `${lines.join('\n')}\n`;
}

/** The options as JSON Schema; a plugin's schema that has no JSON form (a transform) is said so. */
function optionsSchema(options: z.ZodType): string {
  try {
    return JSON.stringify(z.toJSONSchema(options, { io: 'input' }), null, 2);
  } catch (err) {
    return `(no JSON Schema form: ${err instanceof Error ? err.message : String(err)})`;
  }
}
