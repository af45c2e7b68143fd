import Table from 'cli-table3';
import { z } from 'zod';
import { bySection, ROADMAP, sectionOf } from '../core/catalogue.js';
import { InputError } from '../core/errors.js';
import type { Registry } from '../core/registry.js';

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
  const table = new Table({
    head: ['id', 'kind', 'source', 'seed', 'severity', 'implemented'],
    style: { head: [], border: [] },
  });
  for (const r of rows)
    table.push([r.id, r.kind, r.source, r.seedRef, r.severity, r.implemented ? 'yes' : 'not yet']);
  const done = rows.filter((r) => r.implemented).length;
  const plugins = registry.plugins.filter((p) => !p.builtin);
  const from =
    plugins.length === 0
      ? ''
      : ` (${plugins.map((p) => `${p.checks.length} from plugin ${p.origin.label}`).join(', ')})`;
  return `${table.toString()}\n${done} of ${rows.length} checklist checks implemented${from}.\n`;
}

export function explainCommand(id: string, registry: Registry): string {
  const entry = ROADMAP.find((e) => e.id === id);
  const def = registry.byId.get(id);
  if (!entry && !def) throw new InputError(`unknown check "${id}" (strisk checks lists them)`);
  if (!def) {
    return `${id}  [${entry!.seedRef}] ${entry!.kind}\n\nNot implemented yet. Rule from the checklist: ${entry!.rule}\n`;
  }
  const plugin = registry.plugins.find((p) => p.checks.some((c) => c.id === id));
  const lines = [`${id}  [${def.seedRef}] ${def.kind}`];
  lines.push(
    `${def.title}`,
    '',
    def.description,
    '',
    `requires: ${def.requires.join(', ') || 'nothing'}${def.optional?.length ? `; reads when present: ${def.optional.join(', ')}` : ''}`,
    `severity: ${def.severity}`,
    `section: ${sectionOf(def)}${plugin && !plugin.builtin ? ` (plugin ${plugin.origin.label})` : ''}`,
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
